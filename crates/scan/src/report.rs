//! The report model: the one place where trackscan's findings become serializable data.
//!
//! Parser crates carry no serde; this module converts their types into these plain structs,
//! whose field names are the stable JSON keys documented in `docs/schema.md`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One app's report: the document `trackscan scan --format json` prints and `batch` writes.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Report {
    /// The input path as given.
    pub file: String,
    /// SHA-256 of the input file's bytes (lower-case hex); empty for directories.
    pub sha256: String,
    /// Size of the input in bytes (sum of files for a smali directory).
    pub size: u64,
    /// What the input was: `apk`, `split_bundle`, `dex`, `smali_dir`.
    pub kind: String,
    /// Manifest package name.
    pub package: Option<String>,
    /// `android:versionCode`.
    pub version_code: Option<u64>,
    /// `android:versionName`.
    pub version_name: Option<String>,
    /// `uses-sdk minSdkVersion`.
    pub min_sdk: Option<u32>,
    /// `uses-sdk targetSdkVersion`.
    pub target_sdk: Option<u32>,
    /// Application label, resolved through resources.arsc when it is a reference.
    pub label: Option<String>,
    /// Requested permissions, sorted and deduplicated.
    pub permissions: Vec<String>,
    /// Permissions the app itself declares with `<permission>`.
    pub declared_permissions: Vec<String>,
    /// Activities, services, receivers and providers.
    pub components: Vec<Component>,
    /// `<meta-data>` entries under `<application>` (and components).
    pub meta_data: Vec<MetaData>,
    /// Application-level flags.
    pub application: Application,
    /// Signer certificates and schemes.
    pub signing: Signing,
    /// Code size summary.
    pub dex: DexSummary,
    /// Tracker SDKs found, sorted by name.
    pub trackers: Vec<Finding>,
    /// Other (non-tracker) SDKs found, sorted by name.
    pub libraries: Vec<Finding>,
    /// Every host the app mentions, with where it was found.
    pub hosts: Vec<Host>,
    /// Pinned hosts and their pins.
    pub pinning: Vec<Pin>,
    /// Transport-security settings and weaknesses.
    pub transport: Transport,
    /// Effective Network Security Config policy of every declared domain.
    pub nsc_domains: Vec<NscDomain>,
    /// Certificates and keystores bundled in `assets/` and `res/raw/`.
    pub bundled_certs: Vec<BundledCert>,
    /// Native libraries shipped (`lib/<abi>/name.so`).
    pub native_libs: Vec<String>,
    /// One-line verdict: "3 known trackers" or "no known trackers (432 rules checked)".
    pub summary: String,
    /// Privacy score (`trackscan_batch::attach_score` puts it into documents; `None` in a
    /// fresh report and for an app that could not be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<trackscan_report::Score>,
    /// How much of the code is hidden from the scan (renamed classes, encrypted strings,
    /// packed code) and what that means for the findings; present whenever the app's code
    /// was analysed (`level: "none"` when nothing is hidden), absent for an input that could
    /// not be opened. See `crate::hidden`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<Hidden>,
    /// Oddities that did not stop the scan (each names the file inside the app and the trick).
    pub warnings: Vec<String>,
    /// Problems that made part or all of the scan impossible (each names the file and the problem).
    pub errors: Vec<String>,
}

/// How much of the app's code is hidden from a static scan (`hidden`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Hidden {
    /// `none`, `partial` (one of: most names renamed, strings encrypted, DEX loaded at run
    /// time, an encrypted payload) or `heavy` (packed, or renamed and encrypted together).
    pub level: String,
    /// Classes with shrinker- or obfuscator-generated names.
    pub renamed: HiddenRenamed,
    /// Encrypted string constants.
    pub strings: HiddenStrings,
    /// Code loaded or decrypted at run time.
    pub packed: HiddenPacked,
    /// What this means for the findings, one sentence per issue.
    pub coverage: Vec<String>,
}

/// Renamed classes.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct HiddenRenamed {
    /// Classes in the app's code.
    pub classes: u64,
    /// Of them, renamed (every package segment and name part generated).
    pub renamed: u64,
    /// `renamed` in percent of `classes`, rounded down (at least 1 when not 0).
    pub percent: u64,
    /// The largest top packages (first segment, or two for `com.x`-style roots).
    pub packages: Vec<HiddenPackage>,
}

/// One top package's classes.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct HiddenPackage {
    /// Dotted package (`com.example`, `a`, `(default package)`).
    pub package: String,
    /// Classes under it.
    pub classes: u64,
    /// Of them, renamed.
    pub renamed: u64,
}

/// Encrypted string constants.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct HiddenStrings {
    /// Whether string constants are encrypted (a decryptor, or many ciphertext literals).
    pub encrypted: bool,
    /// String-table entries loaded by `const-string`.
    pub literals: u64,
    /// Of them, ones that look like ciphertext (base64/hex, high entropy, no spaces).
    pub ciphertext_like: u64,
    /// `ciphertext_like` in percent of `literals`, rounded down.
    pub percent: u64,
    /// Decryptor methods, most calls first.
    pub decryptors: Vec<HiddenDecryptor>,
}

/// A string decryptor: an app static method called right after `const-string`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct HiddenDecryptor {
    /// Declaring class (dotted).
    pub class: String,
    /// Method name.
    pub method: String,
    /// Proto (`(Ljava/lang/String;)Ljava/lang/String;`).
    pub proto: String,
    /// Calls right after a literal.
    pub calls: u64,
    /// Distinct calling classes.
    pub callers: u64,
}

/// Packed code.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct HiddenPacked {
    /// Whether the real code is packed: a packer's stub, or app code loading DEX at run time
    /// together with an encrypted or DEX payload.
    pub packed: bool,
    /// Packers recognised by their stub classes, native libraries or assets.
    pub packers: Vec<String>,
    /// App classes (outside the platform and Google/AndroidX libraries) calling a run-time
    /// DEX loader.
    pub loaders: u64,
    /// Evidence: `packer_class`, `packer_lib`, `packer_asset`, `dex_loader`, `code_asset`,
    /// `encrypted_asset` (at most 20 per kind).
    pub evidence: Vec<Evidence>,
}

/// An app component from the manifest.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Component {
    /// `activity`, `activity-alias`, `service`, `receiver` or `provider`.
    pub kind: String,
    /// Fully qualified class name.
    pub name: String,
    /// `android:exported` as declared.
    pub exported: Option<bool>,
    /// Whether Android treats it as exported (declared value, else the intent-filter rule).
    pub exported_effective: bool,
    /// `android:permission` guarding it.
    pub permission: Option<String>,
    /// Provider authorities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authorities: Vec<String>,
    /// Intent-filter actions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
}

/// A `<meta-data>` entry.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct MetaData {
    /// `android:name`.
    pub name: String,
    /// `android:value`, as text.
    pub value: Option<String>,
    /// `android:resource`, as `@type/name` when resolvable.
    pub resource: Option<String>,
}

/// Application-level manifest flags.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Application {
    /// Application class.
    pub name: Option<String>,
    /// `android:debuggable`.
    pub debuggable: Option<bool>,
    /// `android:allowBackup`.
    pub allow_backup: Option<bool>,
    /// `android:usesCleartextTraffic`.
    pub uses_cleartext_traffic: Option<bool>,
    /// `android:networkSecurityConfig`, resolved to its `res/xml/…` path.
    pub network_security_config: Option<String>,
}

/// Signing facts.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Signing {
    /// Which schemes are present.
    pub schemes: BTreeMap<String, bool>,
    /// One entry per distinct signer certificate.
    pub certificates: Vec<Certificate>,
    /// Certificates in the v3 proof-of-rotation lineage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lineage: Vec<Certificate>,
    /// Other certificates carried with the signers (chain / intermediates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<Certificate>,
}

/// A signer certificate.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Certificate {
    /// SHA-256 of the DER certificate (apksigner's "certificate SHA-256 digest").
    pub sha256: String,
    /// SHA-1 of the DER certificate.
    pub sha1: String,
    /// Subject, RFC 4514.
    pub subject: String,
    /// Issuer, RFC 4514.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// Validity start.
    pub not_before: String,
    /// Validity end.
    pub not_after: String,
    /// Signature algorithm.
    pub signature_algorithm: String,
    /// Public-key algorithm.
    pub key_algorithm: String,
    /// Key size in bits.
    pub key_bits: Option<u32>,
    /// The well-known Android debug certificate.
    pub debug_cert: bool,
    /// Schemes that carry this certificate.
    pub schemes: Vec<String>,
}

/// DEX summary.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DexSummary {
    /// Number of DEX files (for an apktool tree: smali roots, `smali/`, `smali_classes2/`, …).
    pub files: u64,
    /// Total inflated bytes.
    pub bytes: u64,
    /// Distinct classes defined.
    pub classes: u64,
    /// Methods defined.
    pub methods: u64,
    /// Distinct strings.
    pub strings: u64,
}

/// A detected SDK (tracker or library) with its evidence.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Finding {
    /// Our stable rule id.
    pub id: String,
    /// εxodus tracker id, when the rule comes from εxodus.
    pub exodus_id: Option<u32>,
    /// Display name.
    pub name: String,
    /// Categories (εxodus vocabulary for trackers).
    pub categories: Vec<String>,
    /// Vendor website.
    pub website: Option<String>,
    /// SDK version, when a version file or constant reveals it.
    pub sdk_version: Option<String>,
    /// Where `sdk_version` came from: `version_file:META-INF/x.version`, `string:VALUE` (a
    /// distinctive string), or `constant:Lcom/foo/BuildConfig;->VERSION_NAME` (a `static final`
    /// String field of the SDK's own code). Absent when there is no version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk_version_source: Option<String>,
    /// What matched (capped per kind).
    pub evidence: Vec<Evidence>,
    /// Per evidence kind, how many more matches were left out.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub evidence_omitted: BTreeMap<String, usize>,
    /// App classes outside the SDK that call into it.
    pub call_sites: Vec<CallSite>,
    /// Personal-data APIs the SDK's own code references.
    pub data_access: Vec<DataAccess>,
    /// `high`, `medium` or `low`.
    pub confidence: String,
    /// Which evidence carried the detection.
    pub reason: String,
    /// The SDK's own code under its class prefixes (absent when the rule has no class
    /// prefix or none of its classes is in the app, e.g. a finding from structure alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<SdkCode>,
    /// What the app's own code hands to this SDK: personal data from platform APIs and
    /// profile keys, traced through registers, containers and app helpers to the SDK's entry
    /// points (`signatures/data_flow.toml`). Personal kinds first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_from_app: Vec<DataFlow>,
}

/// One flow of data from the app's code into an SDK entry point.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct DataFlow {
    /// What flows: `email`, `name`, `phone-number`, `location`, `device-id`, `user-id`, … (a
    /// key of `data_flow.toml` or a personal-data API category), or `custom` for a property
    /// key that names nothing personal.
    pub kind: String,
    /// Whether `kind` is personal data (everything but `custom`).
    pub personal: bool,
    /// The property key, when the value travels under a constant key (`"$email"`, `"gender"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Where the value comes from: the platform API (`android.accounts.Account.name`), or the
    /// container that carries the key (`org.json.JSONObject.put`), or `argument` when the SDK
    /// method itself says what it receives; ` via app.Helper.method` when an app helper sits
    /// between.
    pub via: String,
    /// The app method that makes the call (`com.example.Main.onClick`).
    pub at: String,
    /// The SDK entry point (`com.mixpanel.android.mpmetrics.MPMetrics.track`).
    pub sdk_method: String,
    /// The 1-based parameter of the entry point that carries it.
    pub arg: u8,
}

/// Size and digest of an SDK's own code, so that diffs see code change inside an SDK.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SdkCode {
    /// Classes defined under the SDK's prefixes.
    pub classes: u64,
    /// Methods (direct and virtual) of those classes.
    pub methods: u64,
    /// 16 hex digits: an order-independent digest of every class descriptor and of every
    /// method's name, proto, access flags and code length (equal digests: same classes, same methods).
    pub digest: String,
    /// Only with `scan --sdk-code` (and in `diff`): the SDK's classes (`com.foo.Bar`) and
    /// methods (`com.foo.Bar.name(proto)`), sorted; at most [`MAX_SDK_MEMBERS`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

/// Most classes and methods listed in [`SdkCode::members`] per finding.
pub const MAX_SDK_MEMBERS: usize = 50_000;

/// One piece of evidence.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Evidence {
    /// `class`, `manifest`, `host`, `string`, `native_lib`, `version_file`, `asset`.
    pub kind: String,
    /// What matched.
    pub value: String,
    /// Where (file inside the app).
    pub location: String,
}

/// App code calling into an SDK.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct CallSite {
    /// Calling class (descriptor, dotted).
    pub caller: String,
    /// SDK methods called (`Class.method`).
    pub callees: Vec<String>,
    /// Number of call instructions.
    pub count: usize,
}

/// A personal-data API reached by SDK code.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DataAccess {
    /// Data category (`advertising_id`, `imei`, `carrier`, `sensors`, …).
    pub category: String,
    /// The API (`android.telephony.TelephonyManager.getNetworkOperatorName`).
    pub api: String,
    /// An SDK class that calls it.
    pub caller: String,
    /// How many SDK call instructions reach it.
    pub count: usize,
}

/// A host the app mentions.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Host {
    /// Normalised host name.
    pub host: String,
    /// Where it was found (`classes.dex`, `res/values/strings`, `assets/x.json`, `lib/arm64-v8a/libx.so`).
    pub sources: Vec<String>,
    /// The detected tracker (rule id) whose network signature matches the host; `null` when
    /// no detected tracker claims it.
    pub tracker: Option<String>,
    /// "Tracker host, SDK not found": the rule id of a tracker whose network signature matches
    /// the host although that tracker was not detected in the app (`tracker` is then null).
    /// Never set by a platform's own domain shared by many SDKs (`facebook.com`, `google.com`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracker_sdk_not_found: Option<String>,
}

/// A pinned host.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Pin {
    /// Host (possibly with wildcard as written).
    pub host: String,
    /// Whether subdomains are covered.
    pub include_subdomains: bool,
    /// The pins.
    pub pins: Vec<PinDigest>,
    /// `nsc`, `okhttp`, `trustkit`, `trust_manager`, `bundled_cert`, ...
    pub mechanism: String,
    /// Evidence.
    pub evidence: Vec<Evidence>,
    /// The detected tracker whose network signature covers this host.
    pub tracker: Option<String>,
    /// A tracker whose network signature covers this host although it was not detected (as
    /// [`Host::tracker_sdk_not_found`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracker_sdk_not_found: Option<String>,
    /// Whether a trust anchor with `overridePins` lets user/bundled CAs bypass the pins.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub override_pins: bool,
}

/// One domain's effective Network Security Config policy.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct NscDomain {
    /// Domain as declared.
    pub domain: String,
    /// `includeSubdomains`.
    pub include_subdomains: bool,
    /// Effective `cleartextTrafficPermitted`.
    pub cleartext_permitted: Option<bool>,
    /// Effective trust anchors (`system`, `user`, `@raw/x`), `!` suffix when `overridePins`.
    pub trust_anchors: Vec<String>,
    /// Effective pins.
    pub pins: Vec<PinDigest>,
    /// Whether a TrustKit configuration applies.
    pub trustkit: bool,
    /// The config file.
    pub location: String,
}

/// A certificate or keystore shipped inside the app.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct BundledCert {
    /// Path inside the app.
    pub file: String,
    /// `pem`, `der`, `bks`, `jks`, `pkcs12`, …
    pub format: String,
    /// Certificate subject (not for keystores).
    pub subject: Option<String>,
    /// Certificate issuer.
    pub issuer: Option<String>,
    /// End of validity.
    pub not_after: Option<String>,
    /// SHA-256 of the certificate DER (hex).
    pub cert_sha256: Option<String>,
    /// SHA-256 of the SubjectPublicKeyInfo (base64), comparable with pins.
    pub spki_sha256: Option<String>,
}

/// One pin digest.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PinDigest {
    /// `sha256` or `sha1`.
    pub algorithm: String,
    /// Base64 digest.
    pub digest: String,
    /// Expiration date, if any.
    pub expires: Option<String>,
    /// Bundled certificate whose public key this pin matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matches_bundled_cert: Option<String>,
}

/// Transport security settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Transport {
    /// Whether cleartext is allowed by default (`None` when unknown).
    pub cleartext_default: Option<bool>,
    /// Domains with cleartext allowed.
    pub cleartext_domains: Vec<String>,
    /// Whether user-installed CAs are trusted in release builds.
    pub user_cas_trusted: bool,
    /// Trust managers that accept every certificate.
    pub insecure_trust_managers: Vec<String>,
    /// Hostname verifiers that accept every host.
    pub insecure_hostname_verifiers: Vec<String>,
    /// WebView clients that proceed on SSL errors.
    pub webview_ssl_errors_ignored: Vec<String>,
    /// Whether the NSC has `debug-overrides` (active only in debuggable builds).
    pub debug_overrides: bool,
}

/// `Lcom/foo/Bar;` → `com.foo.Bar`: the report's form of class names (shared by the analysis
/// passes).
pub(crate) fn dotted(descriptor: &str) -> String {
    let s = descriptor.strip_prefix('L').unwrap_or(descriptor);
    let s = s.strip_suffix(';').unwrap_or(s);
    s.replace('/', ".")
}
