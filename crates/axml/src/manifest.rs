//! The manifest model: the facts a scanner needs from `AndroidManifest.xml`, with references
//! resolved through [`Resources`] where possible.

use crate::arsc::{ResValue, Resources};
use crate::model::{Document, Element, Value};

/// A requested permission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    /// Permission name, e.g. `android.permission.INTERNET`.
    pub name: String,
    /// `android:maxSdkVersion`, when declared.
    pub max_sdk: Option<u32>,
    /// The element it came from: `uses-permission`, `uses-permission-sdk-23` or
    /// `uses-permission-sdk-m`.
    pub kind: &'static str,
}

/// Facts from `<application>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Application {
    /// Application class, resolved against the package.
    pub name: Option<String>,
    /// `android:debuggable`.
    pub debuggable: Option<bool>,
    /// `android:allowBackup`.
    pub allow_backup: Option<bool>,
    /// `android:usesCleartextTraffic`.
    pub uses_cleartext_traffic: Option<bool>,
    /// `android:networkSecurityConfig` as a path in the APK, e.g.
    /// `res/xml/network_security_config.xml` (or `@0x...` when it cannot be resolved).
    pub network_security_config: Option<String>,
    /// `android:label`, resolved through the resources when a reference.
    pub label: Option<String>,
}

/// Kind of app component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ComponentKind {
    /// `<activity>`.
    Activity,
    /// `<activity-alias>`.
    ActivityAlias,
    /// `<service>`.
    Service,
    /// `<receiver>`.
    Receiver,
    /// `<provider>`.
    Provider,
}

impl ComponentKind {
    /// The element name, e.g. `activity-alias`.
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Activity => "activity",
            ComponentKind::ActivityAlias => "activity-alias",
            ComponentKind::Service => "service",
            ComponentKind::Receiver => "receiver",
            ComponentKind::Provider => "provider",
        }
    }

    fn from_element(name: &str) -> Option<ComponentKind> {
        Some(match name {
            "activity" => ComponentKind::Activity,
            "activity-alias" => ComponentKind::ActivityAlias,
            "service" => ComponentKind::Service,
            "receiver" => ComponentKind::Receiver,
            "provider" => ComponentKind::Provider,
            _ => return None,
        })
    }
}

/// An app component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Its kind.
    pub kind: ComponentKind,
    /// Class name, resolved against the package when it starts with `.` or has no dot.
    pub name: String,
    /// `android:exported` as declared.
    pub exported: Option<bool>,
    /// Whether Android treats it as exported: the declared value, else (targetSdk < 31 rule)
    /// true iff it has an intent-filter; providers default to exported below targetSdk 17.
    pub exported_effective: bool,
    /// `android:enabled` as declared.
    pub enabled: Option<bool>,
    /// `android:permission`.
    pub permission: Option<String>,
    /// Provider authorities (split on `;`).
    pub authorities: Vec<String>,
    /// Intent-filter actions.
    pub actions: Vec<String>,
    /// Intent-filter categories.
    pub categories: Vec<String>,
    /// Intent-filter `<data>` as `scheme://host[:port][path]` (`*` for a missing scheme or
    /// host), or the MIME type for type-only data.
    pub data: Vec<String>,
}

/// A `<meta-data>` element (from `<application>` or a component).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaData {
    /// `android:name`.
    pub name: String,
    /// `android:value` as text, resolved through the resources when a reference.
    pub value: Option<String>,
    /// `android:resource` as `@type/name` (or `@0x...` when unknown).
    pub resource: Option<String>,
}

/// The manifest facts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// `package`.
    pub package: Option<String>,
    /// `android:versionCode`.
    pub version_code: Option<u64>,
    /// `android:versionName` (resolved when a reference).
    pub version_name: Option<String>,
    /// `<uses-sdk android:minSdkVersion>`.
    pub min_sdk: Option<u32>,
    /// `<uses-sdk android:targetSdkVersion>`.
    pub target_sdk: Option<u32>,
    /// Application label (same as `application.label`).
    pub label: Option<String>,
    /// Requested permissions in document order (duplicates kept, and noted in `anomalies`).
    pub permissions: Vec<Permission>,
    /// Permissions the app declares with `<permission>`.
    pub declared_permissions: Vec<String>,
    /// `<application>` facts.
    pub application: Application,
    /// Components in document order.
    pub components: Vec<Component>,
    /// All `<meta-data>` of the application and its components.
    pub meta_data: Vec<MetaData>,
    /// `<uses-library>` names.
    pub uses_libraries: Vec<String>,
    /// `<uses-feature>` names.
    pub uses_features: Vec<String>,
    /// Oddities of the manifest (duplicate permissions, missing names, ...).
    pub anomalies: Vec<String>,
}

struct Ctx<'r> {
    res: Option<&'r Resources>,
}

impl Ctx<'_> {
    fn text_typed(&self, v: &Value) -> String {
        match v {
            Value::Reference(id) => match self.res.and_then(|r| r.resolve(*id)) {
                Some(ResValue::Reference(_)) | None => v.as_string(),
                Some(rv) => rv.as_string(),
            },
            _ => v.as_string(),
        }
    }

    /// The id a text reference such as `@string/app_name` (or `@pkg:string/x`) names.
    fn text_ref(&self, s: &str) -> Option<u32> {
        let r = s.strip_prefix('@')?;
        let r = r.split_once(':').map_or(r, |(_, rest)| rest);
        let (t, n) = r.split_once('/')?;
        self.res?.id_of(t, n)
    }

    fn text(&self, v: &Value) -> String {
        match v {
            Value::String(s) => match self.text_ref(s) {
                Some(id) => self.text(&Value::Reference(id)),
                None => s.clone(),
            },
            _ => self.text_typed(v),
        }
    }

    fn resolved(&self, v: &Value) -> Option<ResValue> {
        match v {
            Value::Reference(id) => self.res?.resolve(*id),
            Value::String(s) => match self.text_ref(s) {
                Some(id) => self.res?.resolve(id),
                None => Some(ResValue::String(s.clone())),
            },
            Value::Int(i) => Some(ResValue::Int(*i)),
            Value::Bool(b) => Some(ResValue::Bool(*b)),
            Value::Float(f) => Some(ResValue::Float(*f)),
            _ => None,
        }
    }

    fn int(&self, v: &Value) -> Option<i64> {
        match self.resolved(v)? {
            ResValue::Int(i) => Some(i),
            ResValue::String(s) => {
                let s = s.trim();
                match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
                    Some(h) => i64::from_str_radix(h, 16).ok(),
                    None => s.parse().ok(),
                }
            }
            ResValue::Float(f) if f.fract() == 0.0 && f.is_finite() => Some(f as i64),
            _ => None,
        }
    }

    fn bool(&self, v: &Value) -> Option<bool> {
        match self.resolved(v)? {
            ResValue::Bool(b) => Some(b),
            ResValue::Int(i) => Some(i != 0),
            ResValue::String(s) => match s.trim() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// `@type/name` for a reference value.
    fn res_name(&self, v: &Value) -> String {
        match v {
            Value::Reference(id) => match self.res.and_then(|r| r.name(*id)) {
                Some((t, n)) => format!("@{t}/{n}"),
                None => v.as_string(),
            },
            _ => v.as_string(),
        }
    }
}

fn resolve_class(package: Option<&str>, name: &str) -> String {
    match package {
        Some(p) if name.starts_with('.') => format!("{p}{name}"),
        Some(p) if !name.contains('.') && !name.is_empty() => format!("{p}.{name}"),
        _ => name.to_string(),
    }
}

/// Warns about attributes named like a framework attribute the model reads (`name`,
/// `exported`, `versionCode`, …) whose namespace is not the Android one: no namespace or a
/// look-alike URI (`…/apk/res/androidx`). Android reads such an attribute only through its
/// resource id (then it *is* that framework attribute, whatever the namespace says); without a
/// framework id it ignores it, and so does [`Element::android_attr`].
fn namespace_tricks(root: &Element, anomalies: &mut Vec<String>) {
    for el in root.descendants() {
        for a in &el.attributes {
            if a.namespace.as_deref() == Some(crate::ANDROID_NS)
                || crate::android_attr_id(&a.name).is_none()
            {
                continue;
            }
            let ns = match &a.namespace {
                Some(ns) => format!("namespace {ns:?}"),
                None => "no namespace".to_string(),
            };
            let verdict = match a
                .resource_id
                .and_then(|id| crate::android_attr_name(id).map(|n| (id, n)))
            {
                Some((id, n)) => {
                    format!("Android reads it as android:{n} by its resource id 0x{id:08x}")
                }
                None => "Android ignores it, and so does trackscan".to_string(),
            };
            crate::push_anomaly(
                anomalies,
                format!(
                    "<{}>: attribute {:?} has {ns}, not the Android namespace ({verdict})",
                    el.name, a.name
                ),
            );
        }
    }
}

impl Manifest {
    /// Builds the model from a parsed manifest; `res` resolves references (labels, version
    /// names, the network security config path, meta-data values).
    pub fn from_document(doc: &Document, res: Option<&Resources>) -> Manifest {
        let mut m = Manifest::default();
        let Some(root) = &doc.root else {
            m.anomalies.push("manifest has no root element".to_string());
            return m;
        };
        if root.name != "manifest" {
            m.anomalies
                .push(format!("root element is <{}>, not <manifest>", root.name));
        }
        namespace_tricks(root, &mut m.anomalies);
        let cx = Ctx { res };
        m.package = root
            .attributes
            .iter()
            .find(|a| a.name == "package" && a.namespace.is_none())
            .or_else(|| root.attr("package"))
            .map(|a| cx.text(&a.value));
        if m.package.is_none() {
            m.anomalies
                .push("manifest has no package attribute".to_string());
        }
        let pkg = m.package.clone();
        let a = |el: &Element, n: &str| el.android_attr(n).map(|a| a.value.clone());
        m.version_code = a(root, "versionCode")
            .and_then(|v| cx.int(&v))
            .map(|i| i as u32 as u64);
        m.version_name = a(root, "versionName").map(|v| cx.text(&v));
        for sdk in root.children_named("uses-sdk") {
            if m.min_sdk.is_none() {
                m.min_sdk = a(sdk, "minSdkVersion").and_then(|v| sdk_level(&cx, &v));
            }
            if m.target_sdk.is_none() {
                m.target_sdk = a(sdk, "targetSdkVersion").and_then(|v| sdk_level(&cx, &v));
            }
        }
        for child in &root.children {
            let kind = match child.name.as_str() {
                "uses-permission" => "uses-permission",
                "uses-permission-sdk-23" => "uses-permission-sdk-23",
                "uses-permission-sdk-m" => "uses-permission-sdk-m",
                "permission" => {
                    if let Some(n) = a(child, "name") {
                        m.declared_permissions.push(cx.text(&n));
                    }
                    continue;
                }
                "uses-feature" => {
                    if let Some(n) = a(child, "name") {
                        m.uses_features.push(cx.text(&n));
                    }
                    continue;
                }
                _ => continue,
            };
            let Some(name) = a(child, "name").map(|v| cx.text(&v)) else {
                m.anomalies.push(format!("<{kind}> without a name"));
                continue;
            };
            if m.permissions.iter().any(|p| p.name == name) {
                m.anomalies.push(format!("duplicate permission {name}"));
            }
            let max_sdk = a(child, "maxSdkVersion").and_then(|v| sdk_level(&cx, &v));
            m.permissions.push(Permission {
                name,
                max_sdk,
                kind,
            });
        }
        let apps: Vec<&Element> = root.children_named("application").collect();
        if apps.len() > 1 {
            m.anomalies.push(format!(
                "{} <application> elements; the first is used",
                apps.len()
            ));
        }
        if let Some(app) = apps.first() {
            m.application = Application {
                name: a(app, "name").map(|v| resolve_class(pkg.as_deref(), &cx.text(&v))),
                debuggable: a(app, "debuggable").and_then(|v| cx.bool(&v)),
                allow_backup: a(app, "allowBackup").and_then(|v| cx.bool(&v)),
                uses_cleartext_traffic: a(app, "usesCleartextTraffic").and_then(|v| cx.bool(&v)),
                network_security_config: a(app, "networkSecurityConfig").map(|v| nsc_path(&cx, &v)),
                label: a(app, "label").map(|v| cx.text(&v)),
            };
            collect_meta(&cx, app, &mut m.meta_data);
            for lib in app.children_named("uses-library") {
                if let Some(n) = a(lib, "name") {
                    m.uses_libraries.push(cx.text(&n));
                }
            }
            for child in &app.children {
                let Some(kind) = ComponentKind::from_element(&child.name) else {
                    continue;
                };
                let Some(raw) = a(child, "name").map(|v| cx.text(&v)) else {
                    m.anomalies
                        .push(format!("<{}> without a name", kind.as_str()));
                    continue;
                };
                // Android defaults targetSdkVersion to minSdkVersion.
                let comp = component(
                    &cx,
                    kind,
                    child,
                    pkg.as_deref(),
                    m.target_sdk.or(m.min_sdk),
                    &raw,
                );
                if comp.exported.is_none()
                    && !comp.actions.is_empty()
                    && m.target_sdk.is_some_and(|t| t >= 31)
                    && kind != ComponentKind::Provider
                {
                    m.anomalies.push(format!(
                        "{} {} has an intent-filter but no android:exported (required from \
                         targetSdk 31)",
                        kind.as_str(),
                        comp.name
                    ));
                }
                collect_meta(&cx, child, &mut m.meta_data);
                m.components.push(comp);
            }
        } else {
            m.anomalies
                .push("manifest has no <application>".to_string());
        }
        m.label = m.application.label.clone();
        m
    }

    /// Requested permission names, sorted and deduplicated.
    pub fn permission_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.permissions.iter().map(|p| p.name.clone()).collect();
        v.sort();
        v.dedup();
        v
    }
}

fn sdk_level(cx: &Ctx<'_>, v: &Value) -> Option<u32> {
    cx.int(v).and_then(|i| u32::try_from(i).ok())
}

fn nsc_path(cx: &Ctx<'_>, v: &Value) -> String {
    match v {
        Value::Reference(id) => match cx.res.and_then(|r| r.resolve(*id)) {
            Some(ResValue::String(s)) => s,
            _ => match cx.res.and_then(|r| r.name(*id)) {
                Some((t, n)) => format!("res/{t}/{n}.xml"),
                None => v.as_string(),
            },
        },
        Value::String(s) => match cx.text_ref(s) {
            Some(id) => nsc_path(cx, &Value::Reference(id)),
            None => match s.strip_prefix('@').and_then(|r| r.split_once('/')) {
                Some((t, n)) => format!("res/{t}/{n}.xml"),
                None => s.clone(),
            },
        },
        _ => v.as_string(),
    }
}

fn collect_meta(cx: &Ctx<'_>, el: &Element, out: &mut Vec<MetaData>) {
    for md in el.children_named("meta-data") {
        let Some(name) = md.android_attr("name").map(|a| cx.text(&a.value)) else {
            continue;
        };
        out.push(MetaData {
            name,
            value: md.android_attr("value").map(|a| cx.text(&a.value)),
            resource: md.android_attr("resource").map(|a| cx.res_name(&a.value)),
        });
    }
}

fn component(
    cx: &Ctx<'_>,
    kind: ComponentKind,
    el: &Element,
    pkg: Option<&str>,
    target_sdk: Option<u32>,
    raw: &str,
) -> Component {
    let a = |n: &str| el.android_attr(n).map(|a| a.value.clone());
    let exported = a("exported").and_then(|v| cx.bool(&v));
    let mut c = Component {
        kind,
        name: resolve_class(pkg, raw),
        exported,
        exported_effective: false,
        enabled: a("enabled").and_then(|v| cx.bool(&v)),
        permission: a("permission").map(|v| cx.text(&v)),
        authorities: a("authorities")
            .map(|v| {
                cx.text(&v)
                    .split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        actions: Vec::new(),
        categories: Vec::new(),
        data: Vec::new(),
    };
    let mut has_filter = false;
    for f in el.children_named("intent-filter") {
        has_filter = true;
        for x in f.children_named("action") {
            if let Some(n) = x.android_attr("name") {
                c.actions.push(cx.text(&n.value));
            }
        }
        for x in f.children_named("category") {
            if let Some(n) = x.android_attr("name") {
                c.categories.push(cx.text(&n.value));
            }
        }
        for d in f.children_named("data") {
            let g = |n: &str| d.android_attr(n).map(|a| cx.text(&a.value));
            let (scheme, host) = (g("scheme"), g("host"));
            if scheme.is_none() && host.is_none() {
                if let Some(mt) = g("mimeType") {
                    c.data.push(mt);
                }
                continue;
            }
            let mut s = format!(
                "{}://{}",
                scheme.as_deref().unwrap_or("*"),
                host.as_deref().unwrap_or("*")
            );
            if let Some(p) = g("port") {
                s.push(':');
                s.push_str(&p);
            }
            if let Some(p) = g("path")
                .or_else(|| g("pathPrefix"))
                .or_else(|| g("pathPattern"))
            {
                s.push_str(&p);
            }
            c.data.push(s);
        }
    }
    c.exported_effective = match exported {
        Some(e) => e,
        None if kind == ComponentKind::Provider => target_sdk.unwrap_or(1) < 17,
        None => has_filter,
    };
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse_any, parse_axml, Resources};
    use trackscan_fixtures::axml::{
        self as fx, arsc, arsc_id, ArscEntry, ArscValue, AttrValue, EntryTable, Node, Options,
    };

    fn s(v: &str) -> AttrValue {
        AttrValue::String(v.to_string())
    }

    fn table() -> Vec<ArscEntry> {
        vec![
            ArscEntry::new("string", "app_name", ArscValue::String("Demo".into())),
            ArscEntry::new("string", "vn", ArscValue::String("2.0-res".into())),
            ArscEntry::new(
                "xml",
                "network_security_config",
                ArscValue::String("res/xml/network_security_config.xml".into()),
            ),
            ArscEntry::new(
                "xml",
                "paths",
                ArscValue::String("res/xml/paths.xml".into()),
            ),
            ArscEntry::new("integer", "target", ArscValue::Int(30)),
        ]
    }

    fn full_manifest(t: &[ArscEntry]) -> Node {
        let id = |ty: &str, n: &str| AttrValue::Reference(arsc_id(t, ty, n).unwrap());
        let filter = Node::new("intent-filter")
            .child(Node::new("action").android("name", s("android.intent.action.VIEW")))
            .child(Node::new("category").android("name", s("android.intent.category.BROWSABLE")))
            .child(
                Node::new("data")
                    .android("scheme", s("https"))
                    .android("host", s("example.com")),
            );
        let app = Node::new("application")
            .android("name", s(".App"))
            .android("label", id("string", "app_name"))
            .android("debuggable", AttrValue::Bool(true))
            .android("allowBackup", AttrValue::Bool(false))
            .android("usesCleartextTraffic", AttrValue::Bool(false))
            .android(
                "networkSecurityConfig",
                id("xml", "network_security_config"),
            )
            .child(
                Node::new("meta-data")
                    .android("name", s("com.google.android.gms.ads.APPLICATION_ID"))
                    .android("value", s("ca-app-pub-1")),
            )
            .child(Node::new("uses-library").android("name", s("org.apache.http.legacy")))
            .child(
                Node::new("activity")
                    .android("name", s(".Main"))
                    .child(filter.clone()),
            )
            .child(
                Node::new("activity-alias")
                    .android("name", s("Alias"))
                    .android("exported", AttrValue::Bool(false))
                    .child(filter),
            )
            .child(
                Node::new("service")
                    .android("name", s("com.lib.Svc"))
                    .android("permission", s("com.lib.BIND"))
                    .android("enabled", AttrValue::Bool(false))
                    .child(
                        Node::new("meta-data")
                            .android("name", s("svc.meta"))
                            .android("resource", id("xml", "paths")),
                    ),
            )
            .child(
                Node::new("receiver")
                    .android("name", s("r.Recv"))
                    .android("exported", AttrValue::Bool(true)),
            )
            .child(
                Node::new("provider")
                    .android("name", s("androidx.core.content.FileProvider"))
                    .android("authorities", s("com.example.fp;com.example.fp2")),
            );
        Node::new("manifest")
            .plain("package", s("com.example"))
            .android("versionCode", AttrValue::IntDec(5))
            .android("versionName", id("string", "vn"))
            .child(
                Node::new("uses-sdk")
                    .android("minSdkVersion", AttrValue::IntDec(21))
                    .android("targetSdkVersion", id("integer", "target")),
            )
            .child(Node::new("uses-permission").android("name", s("android.permission.INTERNET")))
            .child(
                Node::new("uses-permission")
                    .android("name", s("android.permission.WRITE_EXTERNAL_STORAGE"))
                    .android("maxSdkVersion", AttrValue::IntDec(18)),
            )
            .child(
                Node::new("uses-permission-sdk-23").android("name", s("android.permission.CAMERA")),
            )
            .child(
                Node::new("uses-permission-sdk-m")
                    .android("name", s("android.permission.INTERNET")),
            )
            .child(Node::new("permission").android("name", s("com.example.C2D")))
            .child(Node::new("uses-feature").android("name", s("android.hardware.camera")))
            .child(app)
    }

    #[test]
    fn full_manifest_with_resources() {
        let t = table();
        let res = Resources::parse(&arsc(&t, EntryTable::Plain)).unwrap();
        let doc = parse_axml(&fx::write(&full_manifest(&t), &Options::default())).unwrap();
        let m = Manifest::from_document(&doc, Some(&res));
        assert_eq!(m.package.as_deref(), Some("com.example"));
        assert_eq!(m.version_code, Some(5));
        assert_eq!(m.version_name.as_deref(), Some("2.0-res"));
        assert_eq!((m.min_sdk, m.target_sdk), (Some(21), Some(30)));
        assert_eq!(m.label.as_deref(), Some("Demo"));
        let kinds: Vec<&str> = m.permissions.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            [
                "uses-permission",
                "uses-permission",
                "uses-permission-sdk-23",
                "uses-permission-sdk-m"
            ]
        );
        assert_eq!(m.permissions[1].max_sdk, Some(18));
        assert_eq!(
            m.permission_names(),
            [
                "android.permission.CAMERA",
                "android.permission.INTERNET",
                "android.permission.WRITE_EXTERNAL_STORAGE"
            ]
        );
        assert_eq!(
            m.anomalies,
            ["duplicate permission android.permission.INTERNET"]
        );
        assert_eq!(m.declared_permissions, ["com.example.C2D"]);
        assert_eq!(m.uses_features, ["android.hardware.camera"]);
        assert_eq!(m.uses_libraries, ["org.apache.http.legacy"]);
        let app = &m.application;
        assert_eq!(app.name.as_deref(), Some("com.example.App"));
        assert_eq!(
            (app.debuggable, app.allow_backup, app.uses_cleartext_traffic),
            (Some(true), Some(false), Some(false))
        );
        assert_eq!(
            app.network_security_config.as_deref(),
            Some("res/xml/network_security_config.xml")
        );
        let c = &m.components;
        assert_eq!(c.len(), 5);
        assert_eq!(
            (c[0].kind, c[0].name.as_str()),
            (ComponentKind::Activity, "com.example.Main")
        );
        assert_eq!((c[0].exported, c[0].exported_effective), (None, true));
        assert_eq!(c[0].actions, ["android.intent.action.VIEW"]);
        assert_eq!(c[0].categories, ["android.intent.category.BROWSABLE"]);
        assert_eq!(c[0].data, ["https://example.com"]);
        assert_eq!(
            (c[1].kind.as_str(), c[1].name.as_str()),
            ("activity-alias", "com.example.Alias")
        );
        assert!(!c[1].exported_effective);
        assert_eq!(c[2].name, "com.lib.Svc");
        assert_eq!(
            (c[2].exported_effective, c[2].enabled),
            (false, Some(false))
        );
        assert_eq!(c[2].permission.as_deref(), Some("com.lib.BIND"));
        assert!(c[3].exported_effective);
        assert_eq!(c[4].authorities, ["com.example.fp", "com.example.fp2"]);
        assert!(!c[4].exported_effective);
        assert_eq!(m.meta_data.len(), 2);
        assert_eq!(m.meta_data[0].value.as_deref(), Some("ca-app-pub-1"));
        assert_eq!(m.meta_data[1].resource.as_deref(), Some("@xml/paths"));
    }

    #[test]
    fn without_resources_references_stay_symbolic() {
        let t = table();
        let doc = parse_axml(&fx::write(&full_manifest(&t), &Options::default())).unwrap();
        let m = Manifest::from_document(&doc, None);
        assert_eq!(
            m.label,
            Some(format!(
                "@0x{:08x}",
                arsc_id(&t, "string", "app_name").unwrap()
            ))
        );
        assert_eq!(m.target_sdk, None);
        assert!(m.meta_data[1]
            .resource
            .as_deref()
            .unwrap()
            .starts_with("@0x7f"));
    }

    #[test]
    fn text_manifest_gives_same_facts() {
        let text = r#"<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example" android:versionCode="0x10" android:versionName="1.0">
  <uses-sdk android:minSdkVersion="9" android:targetSdkVersion="16"/>
  <uses-permission android:name="android.permission.INTERNET"/>
  <application android:debuggable="true" android:networkSecurityConfig="@xml/nsc" android:label="@string/x">
    <provider android:name="Prov" android:authorities="a.b"/>
    <receiver android:name=".R"><intent-filter><action android:name="A"/></intent-filter></receiver>
  </application>
</manifest>"#;
        let m = Manifest::from_document(&parse_any(text.as_bytes()).unwrap(), None);
        assert_eq!(m.version_code, Some(16));
        assert_eq!(m.application.debuggable, Some(true));
        assert_eq!(
            m.application.network_security_config.as_deref(),
            Some("res/xml/nsc.xml")
        );
        assert_eq!(m.components[0].name, "com.example.Prov");
        // Providers are exported by default below targetSdk 17.
        assert!(m.components[0].exported_effective);
        assert!(m.components[1].exported_effective);
    }

    #[test]
    fn text_references_resolve_by_name() {
        let t = table();
        let res = Resources::parse(&arsc(&t, EntryTable::Plain)).unwrap();
        let text = r#"<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="p" android:versionName="@string/vn">
  <uses-sdk android:targetSdkVersion="@integer/target"/>
  <application android:label="@string/app_name" android:networkSecurityConfig="@xml/network_security_config"/>
</manifest>"#;
        let m = Manifest::from_document(&parse_any(text.as_bytes()).unwrap(), Some(&res));
        assert_eq!(m.label.as_deref(), Some("Demo"));
        assert_eq!(m.version_name.as_deref(), Some("2.0-res"));
        assert_eq!(m.target_sdk, Some(30));
        assert_eq!(
            m.application.network_security_config.as_deref(),
            Some("res/xml/network_security_config.xml")
        );
    }

    #[test]
    fn namespace_tricks_warn_and_follow_android() {
        let mut fake = Node::new("uses-permission");
        fake.attrs.push(fx::Attr {
            namespace: Some("http://schemas.android.com/apk/res/androidx".into()),
            name: "name".into(),
            resource_id: None,
            value: s("fake.PERMISSION"),
        });
        let root = fx::manifest("com.ns", 1, "1", &["android.permission.INTERNET"])
            .child(fake)
            .child(Node::new("uses-permission").plain("name", s("plain.PERMISSION")));
        let tricks = |m: &Manifest| -> Vec<String> {
            m.anomalies
                .iter()
                .filter(|a| a.contains("not the Android namespace"))
                .cloned()
                .collect()
        };

        // With a resource map, the writer (like a hostile one) shares the pool string "name"
        // and so its resource id 0x01010003 with the decoys: Android reads them as android:name.
        let doc = parse_axml(&fx::write(&root, &Options::default())).unwrap();
        let m = Manifest::from_document(&doc, None);
        assert_eq!(
            m.permission_names(),
            [
                "android.permission.INTERNET",
                "fake.PERMISSION",
                "plain.PERMISSION"
            ]
        );
        let t = tricks(&m);
        assert_eq!(t.len(), 2, "{:?}", m.anomalies);
        assert!(t[0].contains(
            r#"<uses-permission>: attribute "name" has namespace "http://schemas.android.com/apk/res/androidx""#
        ));
        assert!(t[0].contains("by its resource id 0x01010003"), "{}", t[0]);
        assert!(t[1].contains("has no namespace"), "{}", t[1]);

        // Without one, nothing has an id and Android matches (namespace, name): both ignored.
        let o = Options {
            resource_map: false,
            ..Options::default()
        };
        let m = Manifest::from_document(&parse_axml(&fx::write(&root, &o)).unwrap(), None);
        assert_eq!(m.permission_names(), ["android.permission.INTERNET"]);
        let t = tricks(&m);
        assert_eq!(t.len(), 2, "{:?}", m.anomalies);
        assert!(t.iter().all(|a| a.contains("Android ignores it")), "{t:?}");

        // The same in a text manifest (no resource ids at all).
        let text = br#"<manifest xmlns:android="http://schemas.android.com/apk/res/android"
            xmlns:a="http://schemas.android.com/apk/res/androidx" package="com.t">
          <uses-permission a:name="fake.P"/><uses-permission android:name="real.P"/>
        </manifest>"#;
        let m = Manifest::from_document(&parse_any(text).unwrap(), None);
        assert_eq!(m.permission_names(), ["real.P"]);
        assert_eq!(tricks(&m).len(), 1, "{:?}", m.anomalies);
        // `package` (no namespace, not a framework attribute) is not a trick.
        assert!(
            !m.anomalies.iter().any(|a| a.contains("package")),
            "{:?}",
            m.anomalies
        );
    }

    #[test]
    fn odd_roots_are_anomalies() {
        let m = Manifest::from_document(&Document::default(), None);
        assert_eq!(m.anomalies, ["manifest has no root element"]);
        let doc = parse_axml(&fx::write(&Node::new("x"), &Options::default())).unwrap();
        let m = Manifest::from_document(&doc, None);
        assert!(m.anomalies.iter().any(|a| a.contains("not <manifest>")));
        assert!(m.anomalies.iter().any(|a| a.contains("no package")));
    }

    #[test]
    fn target_31_missing_exported_is_flagged() {
        let m = Node::new("manifest")
            .plain("package", s("p"))
            .child(Node::new("uses-sdk").android("targetSdkVersion", AttrValue::IntDec(33)))
            .child(Node::new("application").child(
                Node::new("activity").android("name", s(".A")).child(
                    Node::new("intent-filter").child(Node::new("action").android("name", s("X"))),
                ),
            ));
        let doc = parse_axml(&fx::write(&m, &Options::default())).unwrap();
        let m = Manifest::from_document(&doc, None);
        assert!(
            m.anomalies.iter().any(|a| a.contains("targetSdk 31")),
            "{:?}",
            m.anomalies
        );
    }
}
