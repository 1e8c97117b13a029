//! What an app hands to tracker SDKs: the SDK entry points that receive data and the constant
//! keys that name personal data (`signatures/data_flow.toml`, format in its header).

use std::collections::HashMap;

const BUILTIN_DATA_FLOW: &str = include_str!("../../../signatures/data_flow.toml");

/// An SDK method through which the app hands data to a tracker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryPoint {
    /// Tracker rule id (`mixpanel`).
    pub tracker: String,
    /// Class descriptor in DEX form (`Lcom/mixpanel/android/mpmetrics/MixpanelAPI;`).
    pub class: String,
    /// Method name (every overload).
    pub method: String,
    /// 1-based parameters (not counting `this`) that carry data.
    pub args: Vec<u8>,
    /// The 1-based parameter naming the value, when the method takes a key.
    pub key: Option<u8>,
    /// What the method receives whatever the argument (`email` for `setUserEmail`).
    pub kind: Option<String>,
    /// Per parameter of `args`, what it receives (overrides `kind`).
    pub arg_kinds: Vec<String>,
}

impl EntryPoint {
    /// The fixed kind of 1-based parameter `arg`, if the entry gives one.
    pub fn kind_of_arg(&self, arg: u8) -> Option<&str> {
        let i = self.args.iter().position(|a| *a == arg)?;
        self.arg_kinds
            .get(i)
            .or(self.kind.as_ref())
            .map(String::as_str)
    }
}

/// The data-flow rules: entry points and personal-data keys.
#[derive(Debug, Clone, Default)]
pub struct FlowRules {
    /// Every entry point, file order.
    pub entries: Vec<EntryPoint>,
    keys: HashMap<String, String>,
}

impl FlowRules {
    /// The built-in rules (`signatures/data_flow.toml`), parsed once per process.
    pub fn builtin() -> &'static FlowRules {
        static RULES: std::sync::OnceLock<FlowRules> = std::sync::OnceLock::new();
        RULES.get_or_init(|| {
            // The embedded file is checked by a unit test; a broken edit yields no rules
            // rather than a panic at scan time.
            FlowRules::parse(BUILTIN_DATA_FLOW).unwrap_or_default()
        })
    }

    /// Parses a `data_flow.toml` text.
    pub fn parse(text: &str) -> Result<FlowRules, String> {
        let t: toml::Table = text.parse().map_err(|e| format!("data_flow.toml: {e}"))?;
        let mut keys = HashMap::new();
        if let Some(k) = t.get("keys") {
            let k = k
                .as_table()
                .ok_or("data_flow.toml: [keys] is not a table")?;
            for (kind, list) in k {
                let list = list
                    .as_array()
                    .ok_or_else(|| format!("data_flow.toml: keys.{kind} is not a list"))?;
                for v in list {
                    let v = v
                        .as_str()
                        .ok_or_else(|| format!("data_flow.toml: keys.{kind}: not a string"))?;
                    keys.insert(v.to_ascii_lowercase(), kind.clone());
                }
            }
        }
        let mut entries = Vec::new();
        let list = match t.get("entry") {
            Some(e) => e
                .as_array()
                .ok_or("data_flow.toml: entry is not an array of tables")?
                .as_slice(),
            None => &[],
        };
        for (i, e) in list.iter().enumerate() {
            let n = i + 1;
            let e = e
                .as_table()
                .ok_or_else(|| format!("data_flow.toml: entry {n} is not a table"))?;
            let s = |k: &str| e.get(k).and_then(|v| v.as_str()).map(str::to_string);
            let need = |k: &str| s(k).ok_or_else(|| format!("data_flow.toml: entry {n}: no {k}"));
            let small = |v: &toml::Value| {
                v.as_integer()
                    .and_then(|x| u8::try_from(x).ok())
                    .filter(|x| *x > 0)
                    .ok_or_else(|| format!("data_flow.toml: entry {n}: bad parameter {v:?}"))
            };
            let args = match e.get("args").and_then(|v| v.as_array()) {
                Some(a) => a.iter().map(small).collect::<Result<Vec<u8>, String>>()?,
                None => return Err(format!("data_flow.toml: entry {n}: no args")),
            };
            let key = e.get("key").map(small).transpose()?;
            let arg_kinds = e
                .get("arg_kinds")
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            let class = need("class")?;
            entries.push(EntryPoint {
                tracker: need("tracker")?,
                class: format!("L{};", class.replace('.', "/")),
                method: need("method")?,
                args,
                key,
                kind: s("kind"),
                arg_kinds,
            });
        }
        Ok(FlowRules { entries, keys })
    }

    /// The personal-data kind a constant key names (`"$email"` → `email`), if any.
    pub fn key_kind(&self, key: &str) -> Option<&str> {
        if key.len() > 40 {
            return None;
        }
        self.keys
            .get(key.to_ascii_lowercase().as_str())
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses_and_names_known_trackers() {
        let f = FlowRules::parse(BUILTIN_DATA_FLOW).unwrap();
        assert!(f.entries.len() >= 40, "{}", f.entries.len());
        let rules = crate::RuleSet::builtin();
        for e in &f.entries {
            assert!(
                rules.trackers.iter().any(|r| r.id == e.tracker),
                "entry {}.{}: no tracker rule {}",
                e.class,
                e.method,
                e.tracker
            );
            assert!(e.key.is_none_or(|k| e.args.contains(&k)));
            assert!(e.arg_kinds.is_empty() || e.arg_kinds.len() == e.args.len());
        }
        for t in [
            "branch",
            "appsflyer",
            "mixpanel",
            "facebook-analytics",
            "google-crashlytics",
            "google-firebase-analytics",
            "onesignal",
            "adjust",
            "segment",
            "amplitude",
        ] {
            assert!(f.entries.iter().any(|e| e.tracker == t), "{t}");
        }
        assert_eq!(f.key_kind("$EMAIL"), Some("email"));
        assert_eq!(f.key_kind("gender"), Some("gender"));
        assert_eq!(f.key_kind("registered"), None);
        let set_user_data = f
            .entries
            .iter()
            .find(|e| e.method == "setUserData")
            .unwrap();
        assert_eq!(set_user_data.kind_of_arg(1), Some("email"));
        assert_eq!(set_user_data.kind_of_arg(4), Some("phone-number"));
    }

    #[test]
    fn bad_files_are_errors() {
        assert!(FlowRules::parse("[[entry]]\ntracker = \"x\"\n").is_err());
        assert!(FlowRules::parse(
            "[[entry]]\ntracker=\"x\"\nclass=\"a.B\"\nmethod=\"m\"\nargs=[0]\n"
        )
        .is_err());
        assert!(FlowRules::parse("keys = 3").is_err());
        assert!(FlowRules::parse("").unwrap().entries.is_empty());
    }
}
