//! What the app hands to each tracker SDK: a bounded data-flow pass over the register-level
//! code ([`trackscan_dex::RegCode`], from DEX or smali) of the app's own methods, from
//! personal-data sources (platform APIs of [`trackscan_signatures::data_api_category`],
//! `Account.name`, text typed into an `EditText`, constant profile keys of `data_flow.toml`)
//! to the SDK entry points of `data_flow.toml`.
//!
//! # Model
//! * **Labels**: a value's provenance (kind, key, via), interned once per app; a register holds
//!   a small set of labels ([`MAX_LABELS`] at most) plus the constant string it was last loaded
//!   with (for keys).
//! * **Within a method**: one forward pass in code order (branches are not followed: a value
//!   overwritten on one path is treated as overwritten; loops are not iterated). `move*`,
//!   `move-result*` and arithmetic copy labels; constants clear them. Framework calls
//!   (`android/`, `java/`, `javax/`, `org/json/`) propagate: `put*`/`append`/`add*`/`set*`/
//!   `insert` add the arguments' labels (and a constant key) to the receiver, and any result
//!   carries the receiver's and the arguments' labels (`StringBuilder`, `JSONObject`,
//!   `Bundle`, `Map`, `String.valueOf`, `WifiInfo.getIpAddress` of a tainted `WifiInfo`);
//!   other calls return unlabelled values. Array stores label the array.
//! * **Fields**: a store into a field of an app class labels the field for the whole app (a
//!   pre-pass over the classes of the analysed methods); loads read it back.
//! * **Through the app's own methods**, two levels deep: a callee's summary says which labels
//!   its result carries (from its own sources, or from which parameters), and which parameters
//!   reach which entry point (app wrappers around an SDK: `Analytics.track(key, value)`).
//!   Summaries are computed on demand and memoised per method and depth; recursion gets an
//!   empty summary.
//! * **App code** is every class outside the detected SDKs' and libraries' prefixes and the
//!   platform's own packages, plus everything under the manifest package (an app whose package
//!   sits inside its SDK's namespace, like the Mixpanel demo, is still app code).
//!
//! # Bounds
//! Only methods that call an entry point (or an app wrapper of one, two levels) are analysed
//! with flows; their classes get the field pre-pass. Per method at most
//! [`trackscan_dex::MAX_REG_INSNS`] instructions, per register [`MAX_LABELS`] labels, per app
//! [`MAX_LABEL_TABLE`] labels, per finding [`MAX_FLOWS`] flows.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};

use trackscan_dex::{CodeIndex, MethodRef, RegOp};
use trackscan_signatures::{data_api_category, EntryPoint, FlowRules};

use crate::report::dotted;
use crate::report::DataFlow;

/// Labels kept per register.
pub(crate) const MAX_LABELS: usize = 8;
/// Labels interned per app (more are dropped: the value is then unlabelled).
pub(crate) const MAX_LABEL_TABLE: usize = 4096;
/// Flows kept per finding.
pub(crate) const MAX_FLOWS: usize = 48;
/// Call depth through app methods.
const DEPTH: u8 = 2;
/// The kind of text the user typed into a field.
const USER_INPUT: &str = "user-input";
/// Text fields whose `getText` is what the user typed.
const USER_INPUT_CLASSES: &[&str] = &[
    "Landroid/widget/EditText;",
    "Landroid/widget/AutoCompleteTextView;",
    "Landroidx/appcompat/widget/AppCompatEditText;",
    "Lcom/google/android/material/textfield/TextInputEditText;",
];
/// Parameter labels: `PARAM + i` is "the method's parameter register `i`" inside a summary.
const PARAM: u32 = 1 << 31;

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Label {
    /// Personal-data kind, `None` for a custom key.
    kind: Option<String>,
    key: Option<String>,
    via: String,
}

/// The register state: labels and last constant string (file-local string index).
#[derive(Debug, Clone, Default)]
struct Reg {
    labels: Vec<u32>,
    string: Option<u32>,
}

/// What a call to an app method does, for its callers.
#[derive(Debug, Clone, Default)]
struct Summary {
    /// Real labels its result carries.
    ret: Vec<u32>,
    /// Parameter registers (relative to the first argument) whose labels reach the result.
    ret_params: Vec<u16>,
    /// (argument word, entry, 1-based entry parameter, the argument is the entry's key).
    param_sinks: Vec<(u16, usize, u8, bool)>,
}

/// How the pass treats a method id.
#[derive(Debug, Clone)]
enum Callee {
    /// An entry point (index into the active entries) and each parameter's argument word.
    Sink(usize, Vec<u16>),
    /// A personal-data platform API: the label its result carries.
    Source(u32),
    /// A framework method: propagates; `mutates` when it stores its arguments in the receiver.
    Framework { mutates: bool },
    /// A method defined by the app: its definition (file, method idx) and argument words.
    App(u16, u32),
    /// Anything else.
    Opaque,
}

/// Flows found, per active tracker id.
pub(crate) type Flows = HashMap<String, BTreeSet<DataFlow>>;

/// SDKs found by structure in renamed code ([`crate::structure`]): the methods that are their
/// entry points ((file, method idx) of the definition, entry class, entry method), and the
/// packages their code is in (not app code).
#[derive(Debug, Default)]
pub(crate) struct Renamed {
    /// Renamed entry points.
    pub entries: Vec<((u16, u32), String, String)>,
    /// Packages (`La/b/`) of the renamed SDKs.
    pub packages: Vec<String>,
}

const PLATFORM: &[&str] = &[
    "Landroid/",
    "Landroidx/",
    "Ljava/",
    "Ljavax/",
    "Lkotlin/",
    "Lkotlinx/",
    "Lorg/json/",
    "Lcom/google/android/gms/",
    "Lcom/google/firebase/",
    "Lcom/google/android/material/",
    "Ldalvik/",
];

const FRAMEWORK: &[&str] = &["Landroid/", "Ljava/", "Ljavax/", "Lorg/json/"];

/// The pass over one app.
struct Pass<'i, 'a> {
    index: &'i CodeIndex<'a>,
    rules: &'static FlowRules,
    entries: Vec<&'static EntryPoint>,
    app_package: Option<String>,
    sdk_prefixes: Vec<String>,
    labels: Vec<Label>,
    label_ids: HashMap<Label, u32>,
    callees: HashMap<(u16, u32), Callee>,
    summaries: HashMap<(u16, u32, u8), Summary>,
    fields: HashMap<(String, String), Vec<u32>>,
    flows: Flows,
    /// Methods with a wrapper summary (param reaching an entry point), by definition.
    wrappers: HashSet<(u16, u32)>,
    /// Method ids (any file) of renamed entry points: the entry's index and the name the app
    /// gives it.
    renamed: HashMap<(u16, u32), (usize, String)>,
    /// While recording a call to a renamed entry point: the name it has in the app.
    alias: Option<String>,
}

/// Runs the pass: flows per tracker id for the `trackers` detected. `prefixes` are the code
/// prefixes of every finding (trackers and libraries), `package` the manifest package.
pub(crate) fn data_from_app(
    index: &CodeIndex<'_>,
    package: Option<&str>,
    prefixes: &[Vec<String>],
    trackers: &[&str],
    renamed: &Renamed,
) -> Flows {
    let rules = FlowRules::builtin();
    let entries: Vec<&EntryPoint> = rules
        .entries
        .iter()
        .filter(|e| trackers.contains(&e.tracker.as_str()))
        .collect();
    if entries.is_empty() {
        return Flows::new();
    }
    let mut pass = Pass {
        index,
        rules,
        entries,
        app_package: package.map(|p| format!("L{}/", p.replace('.', "/"))),
        sdk_prefixes: prefixes
            .iter()
            .flatten()
            .cloned()
            .chain(renamed.packages.iter().cloned())
            .collect(),
        labels: Vec::new(),
        label_ids: HashMap::new(),
        callees: HashMap::new(),
        summaries: HashMap::new(),
        fields: HashMap::new(),
        flows: Flows::new(),
        wrappers: HashSet::new(),
        renamed: HashMap::new(),
        alias: None,
    };
    // Method ids of the entry points, per file.
    let mut targets: HashSet<(u16, u32)> = HashSet::new();
    for e in &pass.entries {
        index.for_each_method_id_with_class_prefix(&e.class, |file, midx, class, name| {
            if class == e.class && name == e.method {
                targets.insert((file, midx));
            }
        });
    }
    // Renamed entry points (found by the shape of their class): every file's method id for
    // them.
    for (def, class, method) in &renamed.entries {
        let Some(k) = pass
            .entries
            .iter()
            .position(|e| &e.class == class && &e.method == method)
        else {
            continue;
        };
        let Some((c, n, proto)) = index.method_parts(def.0, def.1) else {
            continue;
        };
        let shown = format!("{}.{n}", dotted(&c));
        index.for_each_method_id_with_class_prefix(&c, |file, midx, cc, nn| {
            if cc == c
                && nn == n
                && index
                    .method_parts(file, midx)
                    .is_some_and(|(_, _, p)| p == proto)
            {
                targets.insert((file, midx));
                pass.renamed.insert((file, midx), (k, shown.clone()));
            }
        });
    }
    let mut done: HashSet<(u16, u32)> = HashSet::new();
    for level in 0..=DEPTH {
        if targets.is_empty() {
            break;
        }
        let callers = pass.app_methods_calling(&targets);
        let before: HashSet<(u16, u32)> = pass.wrappers.clone();
        let classes: BTreeSet<&str> = callers.iter().map(|m| m.0).collect();
        for c in classes {
            pass.field_prepass(c);
        }
        for (_, m) in &callers {
            let id = (m.file_index(), m.method_idx());
            if done.insert(id) {
                pass.analyze(*m, DEPTH, true);
            }
        }
        if level == DEPTH {
            break;
        }
        // Next round: callers of the wrappers found this round.
        targets.clear();
        for w in pass.wrappers.difference(&before) {
            let Some((class, name, proto)) = index.method_parts(w.0, w.1) else {
                continue;
            };
            index.for_each_method_id_with_class_prefix(&class, |file, midx, c, n| {
                if c == class
                    && n == name
                    && index
                        .method_parts(file, midx)
                        .is_some_and(|(_, _, p)| p == proto)
                {
                    targets.insert((file, midx));
                }
            });
        }
    }
    pass.flows
}

impl<'i, 'a> Pass<'i, 'a> {
    fn is_app(&self, desc: &str) -> bool {
        if self
            .app_package
            .as_deref()
            .is_some_and(|p| desc.starts_with(p))
        {
            return true;
        }
        !PLATFORM.iter().any(|p| desc.starts_with(p))
            && !self
                .sdk_prefixes
                .iter()
                .any(|p| desc.starts_with(p.as_str()))
    }

    /// App methods whose code references one of `targets` (file, method id).
    fn app_methods_calling(
        &self,
        targets: &HashSet<(u16, u32)>,
    ) -> Vec<(&'i str, MethodRef<'i, 'a>)> {
        let mut out = Vec::new();
        for c in self.index.classes() {
            if !self.is_app(c.descriptor()) {
                continue;
            }
            for m in c.methods() {
                let f = m.file_index();
                if m.refs().iter().any(|r| {
                    r.kind == trackscan_dex::RefKind::Method && targets.contains(&(f, r.idx))
                }) {
                    out.push((c.descriptor(), m));
                }
            }
        }
        out
    }

    fn intern(&mut self, l: Label) -> Option<u32> {
        if let Some(id) = self.label_ids.get(&l) {
            return Some(*id);
        }
        if self.labels.len() >= MAX_LABEL_TABLE {
            return None;
        }
        let id = u32::try_from(self.labels.len()).ok()?;
        self.labels.push(l.clone());
        self.label_ids.insert(l, id);
        Some(id)
    }

    /// Labels the fields of app class `class` from what its methods store.
    fn field_prepass(&mut self, class: &str) {
        let Some(c) = self.index.class(class) else {
            return;
        };
        for m in c.methods() {
            self.analyze(m, 0, false);
        }
    }

    fn callee(&mut self, file: u16, midx: u32) -> Callee {
        if let Some(c) = self.callees.get(&(file, midx)) {
            return c.clone();
        }
        let c = self.classify(file, midx);
        self.callees.insert((file, midx), c.clone());
        c
    }

    fn classify(&mut self, file: u16, midx: u32) -> Callee {
        let Some((class, name, proto)) = self.index.method_parts(file, midx) else {
            return Callee::Opaque;
        };
        if let Some((k, _)) = self.renamed.get(&(file, midx)) {
            return Callee::Sink(*k, param_words(&proto));
        }
        if let Some(k) = self
            .entries
            .iter()
            .position(|e| e.class == class && e.method == name)
        {
            // Entry points are instance or static; the receiver word is there unless the
            // definition says static. We do not know from the call site alone, so the invoke
            // decides (see `arg_word`); here the words of the parameters only.
            return Callee::Sink(k, param_words(&proto));
        }
        if name == "getText" && USER_INPUT_CLASSES.contains(&class.as_ref()) {
            return match self.intern(Label {
                kind: Some(USER_INPUT.to_string()),
                key: None,
                via: format!("{}.getText", dotted(&class)),
            }) {
                Some(l) => Callee::Source(l),
                None => Callee::Opaque,
            };
        }
        if let Some(cat) = data_api_category(&class, &name) {
            let via = format!("{}.{}", dotted(&class), name);
            return match self.intern(Label {
                kind: Some(cat.to_string()),
                key: None,
                via,
            }) {
                Some(l) => Callee::Source(l),
                None => Callee::Opaque,
            };
        }
        if FRAMEWORK.iter().any(|p| class.starts_with(p)) {
            let mutates = ["put", "append", "add", "set", "insert", "<init>"]
                .iter()
                .any(|p| name.starts_with(p));
            return Callee::Framework { mutates };
        }
        if self.is_app(&class) {
            if let Some(def) = self
                .index
                .class(&class)
                .and_then(|c| c.method(&name, Some(&proto)))
            {
                return Callee::App(def.file_index(), def.method_idx());
            }
        }
        Callee::Opaque
    }

    fn def(&self, file: u16, midx: u32) -> Option<MethodRef<'i, 'a>> {
        let (class, name, proto) = self.index.method_parts(file, midx)?;
        self.index.class(&class)?.method(&name, Some(&proto))
    }

    fn summary(&mut self, file: u16, midx: u32, depth: u8) -> Summary {
        if let Some(s) = self.summaries.get(&(file, midx, depth)) {
            return s.clone();
        }
        // Placeholder: recursion sees an empty summary.
        self.summaries
            .insert((file, midx, depth), Summary::default());
        let s = match self.def(file, midx) {
            Some(m) => self.analyze(m, depth, false),
            None => Summary::default(),
        };
        self.summaries.insert((file, midx, depth), s.clone());
        s
    }

    /// One forward pass over `m`. With `report`, flows into entry points are recorded under
    /// their tracker; always returns the method's summary (and stores labelled fields).
    fn analyze(&mut self, m: MethodRef<'i, 'a>, depth: u8, report: bool) -> Summary {
        let code = m.reg_code();
        let file = m.file_index();
        let at = format!(
            "{}.{}",
            dotted(m_class(self.index, file, m.method_idx()).as_ref()),
            m.name()
        );
        let mut regs: Vec<Reg> = vec![Reg::default(); usize::from(code.registers)];
        // Parameters: pseudo-labels, one per argument word.
        for (w, r) in regs
            .iter_mut()
            .skip(usize::from(code.first_arg))
            .enumerate()
        {
            if let Ok(w) = u32::try_from(w) {
                r.labels.push(PARAM + w);
            }
        }
        let mut pending: Reg = Reg::default();
        let mut summary = Summary::default();
        for op in &code.insns {
            match op {
                RegOp::Move { dst, src } => {
                    let v = get(&regs, *src);
                    set(&mut regs, *dst, v);
                }
                RegOp::MoveResult { dst } => set(&mut regs, *dst, std::mem::take(&mut pending)),
                RegOp::ConstString { dst, string } => set(
                    &mut regs,
                    *dst,
                    Reg {
                        labels: Vec::new(),
                        string: Some(*string),
                    },
                ),
                RegOp::Const { dst } | RegOp::Fresh { dst } | RegOp::NewInstance { dst, .. } => {
                    set(&mut regs, *dst, Reg::default())
                }
                RegOp::Derive { dst, srcs } => {
                    let mut labels = Vec::new();
                    for s in srcs.iter().flatten() {
                        union(&mut labels, &get(&regs, *s).labels);
                    }
                    set(
                        &mut regs,
                        *dst,
                        Reg {
                            labels,
                            string: None,
                        },
                    );
                }
                RegOp::FieldGet { dst, obj, field } => {
                    let mut labels = Vec::new();
                    if let Some((class, name, _)) = self.index.field_parts(file, *field) {
                        if class == "Landroid/accounts/Account;" && name == "name" {
                            labels.extend(self.intern(Label {
                                kind: Some("email".into()),
                                key: None,
                                via: "android.accounts.Account.name".into(),
                            }));
                        } else if let Some(l) =
                            self.fields.get(&(class.to_string(), name.to_string()))
                        {
                            labels.clone_from(l);
                        } else if FRAMEWORK.iter().any(|p| class.starts_with(p)) {
                            if let Some(o) = obj {
                                labels = get(&regs, *o).labels;
                            }
                        }
                    }
                    set(
                        &mut regs,
                        *dst,
                        Reg {
                            labels,
                            string: None,
                        },
                    );
                }
                RegOp::FieldPut { src, field, .. } => {
                    let labels: Vec<u32> = get(&regs, *src)
                        .labels
                        .into_iter()
                        .filter(|l| *l < PARAM)
                        .collect();
                    if labels.is_empty() {
                        continue;
                    }
                    if let Some((class, name, _)) = self.index.field_parts(file, *field) {
                        if self.is_app(&class) {
                            let e = self
                                .fields
                                .entry((class.to_string(), name.to_string()))
                                .or_default();
                            union(e, &labels);
                        }
                    }
                }
                RegOp::ArrayPut { src, array } => {
                    let l = get(&regs, *src).labels;
                    if let Some(a) = regs.get_mut(usize::from(*array)) {
                        union(&mut a.labels, &l);
                    }
                }
                RegOp::FilledArray { args } => {
                    let mut labels = Vec::new();
                    for a in args {
                        union(&mut labels, &get(&regs, *a).labels);
                    }
                    pending = Reg {
                        labels,
                        string: None,
                    };
                }
                RegOp::Return { src: Some(s) } => {
                    for l in get(&regs, *s).labels {
                        if l >= PARAM {
                            let w = u16::try_from(l - PARAM).unwrap_or(u16::MAX);
                            if !summary.ret_params.contains(&w) {
                                summary.ret_params.push(w);
                            }
                        } else {
                            union(&mut summary.ret, &[l]);
                        }
                    }
                }
                RegOp::Invoke {
                    method: Some(mi),
                    is_static,
                    args,
                } => {
                    pending = Reg::default();
                    match self.callee(file, *mi) {
                        Callee::Sink(k, words) => {
                            let recv = u16::from(!*is_static);
                            self.alias = self.renamed.get(&(file, *mi)).map(|r| r.1.clone());
                            self.sink(
                                k,
                                &words,
                                recv,
                                args,
                                &regs,
                                file,
                                &at,
                                report,
                                &mut summary,
                            );
                            self.alias = None;
                        }
                        Callee::Source(l) => pending.labels.push(l),
                        Callee::Framework { mutates } => {
                            let mut labels = Vec::new();
                            for a in args {
                                union(&mut labels, &get(&regs, *a).labels);
                            }
                            if mutates && !*is_static {
                                if let Some(recv) = args.first() {
                                    // A constant key stored with a value: `put("gender", v)`.
                                    if let Some(k) = args.get(1).and_then(|r| get(&regs, *r).string)
                                    {
                                        if args.len() >= 3 {
                                            if let Some(key) = self.index.string_at(file, k) {
                                                let (class, name) = self
                                                    .index
                                                    .method_target(file, *mi)
                                                    .unwrap_or_default();
                                                let label = Label {
                                                    kind: self
                                                        .rules
                                                        .key_kind(&key)
                                                        .map(str::to_string),
                                                    key: Some(key.into_owned()),
                                                    via: format!("{}.{}", dotted(&class), name),
                                                };
                                                labels.extend(self.intern(label));
                                            }
                                        }
                                    }
                                    if let Some(r) = regs.get_mut(usize::from(*recv)) {
                                        union(&mut r.labels, &labels);
                                        labels.clone_from(&r.labels);
                                    }
                                }
                            }
                            pending.labels = labels;
                        }
                        Callee::App(df, dm) if depth > 0 => {
                            let s = self.summary(df, dm, depth - 1);
                            let mut labels = s.ret.clone();
                            for w in &s.ret_params {
                                if let Some(r) = args.get(usize::from(*w)) {
                                    union(&mut labels, &get(&regs, *r).labels);
                                }
                            }
                            pending.labels = labels;
                            let helper = self
                                .index
                                .method_parts(df, dm)
                                .map(|(c, n, _)| format!("{}.{}", dotted(&c), n))
                                .unwrap_or_default();
                            for (w, k, p, is_key) in s.param_sinks {
                                let Some(r) = args.get(usize::from(w)) else {
                                    continue;
                                };
                                let v = get(&regs, *r);
                                self.record(
                                    k,
                                    p,
                                    is_key,
                                    &v,
                                    file,
                                    &at,
                                    Some(&helper),
                                    report,
                                    &mut summary,
                                );
                            }
                        }
                        Callee::App(..) | Callee::Opaque => {}
                    }
                }
                RegOp::Invoke { method: None, .. } => pending = Reg::default(),
                _ => {}
            }
        }
        if !summary.param_sinks.is_empty() {
            self.wrappers.insert((file, m.method_idx()));
        }
        summary
    }

    /// An invoke of entry `k`: each data parameter's register is recorded.
    #[allow(clippy::too_many_arguments)]
    fn sink(
        &mut self,
        k: usize,
        words: &[u16],
        recv: u16,
        args: &[u16],
        regs: &[Reg],
        file: u16,
        at: &str,
        report: bool,
        summary: &mut Summary,
    ) {
        let Some(e) = self.entries.get(k).copied() else {
            return;
        };
        for &p in &e.args {
            let Some(w) = words.get(usize::from(p).wrapping_sub(1)) else {
                continue;
            };
            let Some(r) = args.get(usize::from(recv + *w)) else {
                continue;
            };
            let v = get(regs, *r);
            let is_key = e.key == Some(p);
            self.record(k, p, is_key, &v, file, at, None, report, summary);
        }
    }

    /// Records what register value `v` brings to parameter `p` of entry `k`.
    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        k: usize,
        p: u8,
        is_key: bool,
        v: &Reg,
        file: u16,
        at: &str,
        helper: Option<&str>,
        report: bool,
        summary: &mut Summary,
    ) {
        let Some(e) = self.entries.get(k).copied() else {
            return;
        };
        let sdk_method = match &self.alias {
            Some(a) => format!("{}.{} (renamed {a})", dotted(&e.class), e.method),
            None => format!("{}.{}", dotted(&e.class), e.method),
        };
        let through = |via: &str| match helper {
            Some(h) => format!("{via} via {h}"),
            None => via.to_string(),
        };
        let mut out: Vec<DataFlow> = Vec::new();
        for &l in &v.labels {
            if l >= PARAM {
                let w = u16::try_from(l - PARAM).unwrap_or(u16::MAX);
                let entry = (w, k, p, is_key);
                if !summary.param_sinks.contains(&entry) {
                    summary.param_sinks.push(entry);
                }
                continue;
            }
            let Some(label) = self.labels.get(l as usize) else {
                continue;
            };
            // What the value is (a source's category, a key's kind) says more than what the
            // entry point expects (`identify(phone number)`).
            // Text the user typed is whatever the entry point says it is (`setIdentity`).
            let kind = match (label.kind.as_deref(), e.kind_of_arg(p)) {
                (Some(USER_INPUT), Some(k)) => Some(k.to_string()),
                (Some(k), _) => Some(k.to_string()),
                (None, k) => k.map(str::to_string),
            };
            out.push(DataFlow {
                personal: kind.is_some(),
                kind: kind.unwrap_or_else(|| "custom".into()),
                key: label.key.clone(),
                via: through(&label.via),
                at: at.to_string(),
                sdk_method: sdk_method.clone(),
                arg: p,
            });
        }
        if is_key {
            if let Some(key) = v.string.and_then(|s| self.index.string_at(file, s)) {
                let kind = self.rules.key_kind(&key).map(str::to_string);
                out.push(DataFlow {
                    personal: kind.is_some(),
                    kind: kind.unwrap_or_else(|| "custom".into()),
                    key: Some(key.into_owned()),
                    via: through("key"),
                    at: at.to_string(),
                    sdk_method: sdk_method.clone(),
                    arg: p,
                });
            }
        } else if out.is_empty() && helper.is_none() && v.string.is_none() {
            // No provenance (or only the method's own parameters), but the entry point says
            // what it receives (`setUserEmail(x)`): the app hands that kind of data whatever
            // its origin. Reported where the SDK is called, not again at callers of a wrapper.
            if let Some(kind) = e.kind_of_arg(p) {
                out.push(DataFlow {
                    personal: true,
                    kind: kind.to_string(),
                    key: None,
                    via: through("argument"),
                    at: at.to_string(),
                    sdk_method: sdk_method.clone(),
                    arg: p,
                });
            }
        }
        if report {
            let set = self.flows.entry(e.tracker.clone()).or_default();
            for f in out {
                if set.len() < MAX_FLOWS {
                    set.insert(f);
                }
            }
        }
    }
}

fn m_class<'a>(index: &CodeIndex<'a>, file: u16, midx: u32) -> Cow<'a, str> {
    index
        .method_target(file, midx)
        .map(|(c, _)| c)
        .unwrap_or_default()
}

/// The argument word (relative to the first parameter) of each parameter of `proto`.
fn param_words(proto: &str) -> Vec<u16> {
    let mut out = Vec::new();
    let mut w: u16 = 0;
    for t in trackscan_dex::param_types(proto) {
        out.push(w);
        w = w.saturating_add(if t == "J" || t == "D" { 2 } else { 1 });
    }
    out
}

fn get(regs: &[Reg], r: u16) -> Reg {
    regs.get(usize::from(r)).cloned().unwrap_or_default()
}

fn set(regs: &mut [Reg], r: u16, v: Reg) {
    if let Some(x) = regs.get_mut(usize::from(r)) {
        *x = v;
    }
}

/// Adds `more` to the sorted small set `to`, keeping at most [`MAX_LABELS`].
fn union(to: &mut Vec<u32>, more: &[u32]) {
    for l in more {
        if let Err(i) = to.binary_search(l) {
            if to.len() < MAX_LABELS {
                to.insert(i, *l);
            }
        }
    }
}

/// The flows of one tracker, personal first, as the report lists them.
pub(crate) fn ordered(set: BTreeSet<DataFlow>) -> Vec<DataFlow> {
    let mut v: Vec<DataFlow> = set.into_iter().collect();
    v.sort_by(|a, b| b.personal.cmp(&a.personal).then_with(|| a.cmp(b)));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackscan_dex::IndexBuilder;
    use trackscan_fixtures::dex::{ClassDefSpec, DexBuilder, Invoke, MethodDef, MethodKey, Op};

    const S: &str = "Ljava/lang/String;";
    const JSON: &str = "Lorg/json/JSONObject;";
    const MP: &str = "Lcom/mixpanel/android/mpmetrics/MixpanelAPI;";

    fn mk(class: &str, name: &str, params: &[&str], ret: &str) -> MethodKey {
        MethodKey::new(class, name, params, ret)
    }
    fn phone() -> MethodKey {
        mk(
            "Landroid/telephony/TelephonyManager;",
            "getLine1Number",
            &[],
            S,
        )
    }
    fn track() -> MethodKey {
        mk(MP, "track", &[S, JSON], "V")
    }
    fn put() -> MethodKey {
        mk(JSON, "put", &[S, "Ljava/lang/Object;"], JSON)
    }
    /// `v0` = the phone number (`TelephonyManager.getLine1Number`).
    fn phone_into(r: u8, tm: u8) -> Vec<Op> {
        vec![
            Op::NewInstanceTo(tm, "Landroid/telephony/TelephonyManager;".into()),
            Op::Call(Invoke::Virtual, phone(), vec![tm]),
            Op::MoveResultTo(r),
        ]
    }

    const ALL: &[(&str, &str)] = &[
        ("mixpanel", "Lcom/mixpanel/"),
        ("branch", "Lio/branch/"),
        ("appsflyer", "Lcom/appsflyer/"),
        ("onesignal", "Lcom/onesignal/"),
        (
            "google-firebase-analytics",
            "Lcom/google/firebase/analytics/",
        ),
    ];

    fn flows_of(idx: &CodeIndex<'_>, trackers: &[&str]) -> Vec<String> {
        let prefixes: Vec<Vec<String>> = ALL
            .iter()
            .filter(|(t, _)| trackers.contains(t))
            .map(|(_, p)| vec![p.to_string()])
            .collect();
        let flows = data_from_app(
            idx,
            Some("com.example"),
            &prefixes,
            trackers,
            &Renamed::default(),
        );
        let mut out: Vec<String> = flows
            .into_iter()
            .flat_map(|(t, set)| {
                ordered(set).into_iter().map(move |f| {
                    format!(
                        "{t}: {} {:?} via {} at {} -> {}#{}",
                        f.kind, f.key, f.via, f.at, f.sdk_method, f.arg
                    )
                })
            })
            .collect();
        out.sort();
        out
    }

    fn run(b: &DexBuilder, trackers: &[&str]) -> Vec<String> {
        let bytes = b.build();
        let mut ib = IndexBuilder::new();
        ib.add_dex("classes.dex", &bytes).unwrap();
        let idx = ib.finish();
        flows_of(&idx, trackers)
    }

    fn run_smali(b: &DexBuilder, trackers: &[&str]) -> Vec<String> {
        let smali = b.to_smali();
        let mut ib = IndexBuilder::new();
        for (path, text) in &smali {
            ib.add_smali(path, text).unwrap();
        }
        let idx = ib.finish();
        flows_of(&idx, trackers)
    }

    fn app(methods: Vec<MethodDef>) -> DexBuilder {
        DexBuilder::new().class(ClassDefSpec::new("Lcom/example/Main;", methods))
    }

    fn static_m(name: &str, params: &[&str], ret: &str, code: Vec<Op>) -> MethodDef {
        let mut m = MethodDef::new(name, params, ret, code);
        m.access_flags = 0x0009;
        m
    }

    #[test]
    fn direct_argument_and_via_local() {
        let mut code = phone_into(1, 0);
        code.extend([
            Op::MoveTo(2, 1),
            Op::NewInstanceTo(3, "Lio/branch/referral/Branch;".into()),
            Op::Call(
                Invoke::Virtual,
                mk("Lio/branch/referral/Branch;", "setIdentity", &[S], "V"),
                vec![3, 2],
            ),
            Op::ReturnVoid,
        ]);
        let b = app(vec![MethodDef::new("login", &[], "V", code)]);
        let want = vec![
            "branch: phone-number None via android.telephony.TelephonyManager.getLine1Number \
             at com.example.Main.login -> io.branch.referral.Branch.setIdentity#1"
                .to_string(),
        ];
        assert_eq!(run(&b, &["branch"]), want);
        assert_eq!(run_smali(&b, &["branch"]), want);
        // Not detected: nothing reported for it.
        assert!(run(&b, &["mixpanel"]).is_empty());
    }

    #[test]
    fn through_json_object_with_keys() {
        let mut code = vec![
            Op::NewInstanceTo(0, JSON.into()),
            Op::Call(Invoke::Direct, mk(JSON, "<init>", &[], "V"), vec![0]),
            Op::StrTo(1, "$email".into()),
        ];
        code.extend(phone_into(2, 3));
        code.extend([
            Op::Call(Invoke::Virtual, put(), vec![0, 1, 2]),
            Op::StrTo(1, "plan".into()),
            Op::StrTo(2, "pro".into()),
            Op::Call(Invoke::Virtual, put(), vec![0, 1, 2]),
            Op::NewInstanceTo(4, MP.into()),
            Op::StrTo(5, "Signed up".into()),
            Op::Call(Invoke::Virtual, track(), vec![4, 5, 0]),
            Op::ReturnVoid,
        ]);
        let b = app(vec![MethodDef::new("signUp", &[], "V", code)]);
        let at = "at com.example.Main.signUp -> com.mixpanel.android.mpmetrics.MixpanelAPI.track#2";
        let want = vec![
            format!("mixpanel: custom Some(\"plan\") via org.json.JSONObject.put {at}"),
            format!("mixpanel: email Some(\"$email\") via org.json.JSONObject.put {at}"),
            format!(
                "mixpanel: phone-number None via android.telephony.TelephonyManager.getLine1Number {at}"
            ),
        ];
        assert_eq!(run(&b, &["mixpanel"]), want);
        assert_eq!(run_smali(&b, &["mixpanel"]), want);
    }

    #[test]
    fn through_bundle_and_map() {
        let bundle = "Landroid/os/Bundle;";
        let map = "Ljava/util/HashMap;";
        let fa = "Lcom/google/firebase/analytics/FirebaseAnalytics;";
        let af = "Lcom/appsflyer/AppsFlyerLib;";
        let code = vec![
            Op::NewInstanceTo(0, bundle.into()),
            Op::StrTo(1, "first_name".into()),
            Op::StrTo(2, "Ada".into()),
            Op::Call(
                Invoke::Virtual,
                mk(bundle, "putString", &[S, S], "V"),
                vec![0, 1, 2],
            ),
            Op::NewInstanceTo(3, fa.into()),
            Op::StrTo(4, "login".into()),
            Op::Call(
                Invoke::Virtual,
                mk(fa, "logEvent", &[S, bundle], "V"),
                vec![3, 4, 0],
            ),
            Op::NewInstanceTo(5, map.into()),
            Op::StrTo(1, "gender".into()),
            Op::Call(
                Invoke::Virtual,
                mk(
                    map,
                    "put",
                    &["Ljava/lang/Object;", "Ljava/lang/Object;"],
                    "Ljava/lang/Object;",
                ),
                vec![5, 1, 2],
            ),
            Op::NewInstanceTo(6, af.into()),
            Op::Call(
                Invoke::Virtual,
                mk(
                    af,
                    "logEvent",
                    &["Landroid/content/Context;", S, "Ljava/util/Map;"],
                    "V",
                ),
                vec![6, 7, 4, 5],
            ),
            Op::ReturnVoid,
        ];
        let b = app(vec![MethodDef::new("go", &[], "V", code)]);
        let got = run(&b, &["google-firebase-analytics", "appsflyer"]);
        assert_eq!(
            got,
            vec![
                "appsflyer: gender Some(\"gender\") via java.util.HashMap.put at com.example.Main.go -> com.appsflyer.AppsFlyerLib.logEvent#3",
                "google-firebase-analytics: name Some(\"first_name\") via android.os.Bundle.putString at com.example.Main.go -> com.google.firebase.analytics.FirebaseAnalytics.logEvent#2",
            ]
        );
        assert_eq!(
            run_smali(&b, &["google-firebase-analytics", "appsflyer"]),
            got
        );
    }

    #[test]
    fn through_app_helpers_both_ways() {
        // Source in a helper: Util.phone() returns the phone number; the caller hands it on.
        let util = "Lcom/example/Util;";
        let phone_helper = static_m("phone", &[], S, {
            let mut c = phone_into(0, 1);
            c.push(Op::ReturnObject(0));
            c
        });
        // Wrapper: Util.email(String) passes its parameter to OneSignal.setEmail. Locals are
        // v0..v1 (named below), so the parameter is v2: `move-object v0, v2` (raw 12x).
        let set_email = mk("Lcom/onesignal/OneSignal;", "setEmail", &[S], "V");
        let wrapper = static_m(
            "email",
            &[S],
            "V",
            vec![
                Op::Raw(vec![0x2007]),
                Op::MoveTo(1, 0),
                Op::Call(Invoke::Static, set_email, vec![1]),
                Op::ReturnVoid,
            ],
        );
        let caller = MethodDef::new(
            "onCreate",
            &[],
            "V",
            vec![
                Op::Call(Invoke::Static, mk(util, "phone", &[], S), vec![]),
                Op::MoveResultTo(0),
                Op::Call(Invoke::Static, mk(util, "email", &[S], "V"), vec![0]),
                Op::ReturnVoid,
            ],
        );
        let b = DexBuilder::new()
            .class(ClassDefSpec::new(util, vec![phone_helper, wrapper]))
            .class(ClassDefSpec::new("Lcom/example/Main;", vec![caller]));
        assert_eq!(
            run(&b, &["onesignal"]),
            vec![
                "onesignal: email None via argument at com.example.Util.email -> com.onesignal.OneSignal.setEmail#1",
                "onesignal: phone-number None via android.telephony.TelephonyManager.getLine1Number via com.example.Util.email at com.example.Main.onCreate -> com.onesignal.OneSignal.setEmail#1",
            ]
        );
    }

    #[test]
    fn through_a_field_of_the_class() {
        use trackscan_fixtures::dex::FieldKey;
        let f = FieldKey::new("Lcom/example/Main;", "phone", S);
        let mut store = phone_into(1, 0);
        store.extend([Op::IputFrom(1, 0, f.clone()), Op::ReturnVoid]);
        let send = vec![
            Op::IgetTo(1, 0, f),
            Op::NewInstanceTo(2, MP.into()),
            Op::Call(Invoke::Virtual, mk(MP, "identify", &[S], "V"), vec![2, 1]),
            Op::ReturnVoid,
        ];
        // The reader comes first in the class: the pre-pass still sees the store.
        let b = app(vec![
            MethodDef::new("send", &[], "V", send),
            MethodDef::new("store", &[], "V", store),
        ]);
        let want = vec!["mixpanel: phone-number None via android.telephony.TelephonyManager.getLine1Number at com.example.Main.send -> com.mixpanel.android.mpmetrics.MixpanelAPI.identify#1"];
        assert_eq!(run(&b, &["mixpanel"]), want);
        assert_eq!(run_smali(&b, &["mixpanel"]), want);
    }

    #[test]
    fn typed_text_is_what_the_entry_point_receives() {
        let et = "Landroid/widget/EditText;";
        let code = vec![
            Op::NewInstanceTo(0, et.into()),
            Op::Call(
                Invoke::Virtual,
                mk(et, "getText", &[], "Landroid/text/Editable;"),
                vec![0],
            ),
            Op::MoveResultTo(1),
            Op::Call(
                Invoke::Virtual,
                mk("Ljava/lang/Object;", "toString", &[], S),
                vec![1],
            ),
            Op::MoveResultTo(1),
            Op::NewInstanceTo(2, "Lio/branch/referral/Branch;".into()),
            Op::Call(
                Invoke::Virtual,
                mk("Lio/branch/referral/Branch;", "setIdentity", &[S], "V"),
                vec![2, 1],
            ),
            Op::ReturnVoid,
        ];
        let b = app(vec![MethodDef::new("onClick", &[], "V", code)]);
        assert_eq!(
            run(&b, &["branch"]),
            vec!["branch: user-id None via android.widget.EditText.getText at com.example.Main.onClick -> io.branch.referral.Branch.setIdentity#1"]
        );
    }

    #[test]
    fn negatives() {
        // Overwritten before the call; a key that names nothing personal; a non-tracker callee.
        let mut code = phone_into(1, 0);
        code.extend([
            Op::StrTo(1, "anonymous".into()),
            Op::NewInstanceTo(3, "Lio/branch/referral/Branch;".into()),
            Op::Call(
                Invoke::Virtual,
                mk("Lio/branch/referral/Branch;", "setIdentity", &[S], "V"),
                vec![3, 1],
            ),
            Op::NewInstanceTo(4, JSON.into()),
            Op::StrTo(5, "screen".into()),
            Op::StrTo(6, "home".into()),
            Op::Call(Invoke::Virtual, put(), vec![4, 5, 6]),
            Op::NewInstanceTo(7, MP.into()),
            Op::Call(Invoke::Virtual, track(), vec![7, 5, 4]),
        ]);
        code.extend(phone_into(8, 9));
        code.extend([
            Op::NewInstanceTo(10, "Lcom/example/Backend;".into()),
            Op::Call(
                Invoke::Virtual,
                mk("Lcom/example/Backend;", "identify", &[S], "V"),
                vec![10, 8],
            ),
            Op::ReturnVoid,
        ]);
        let b = app(vec![MethodDef::new("m", &[], "V", code)]);
        let got = run(&b, &["branch", "mixpanel"]);
        assert_eq!(
            got,
            vec![
                "mixpanel: custom Some(\"screen\") via org.json.JSONObject.put at com.example.Main.m -> com.mixpanel.android.mpmetrics.MixpanelAPI.track#2"
            ]
        );
    }

    #[test]
    fn hostile_huge_method_is_bounded() {
        // 20,000 puts of distinct keys into one object, then a sink: labels stay capped.
        let mut code = vec![Op::NewInstanceTo(0, JSON.into())];
        for i in 0..20_000 {
            code.push(Op::StrTo(1, format!("k{i}")));
            code.push(Op::Call(Invoke::Virtual, put(), vec![0, 1, 1]));
        }
        code.push(Op::NewInstanceTo(2, MP.into()));
        code.push(Op::Call(Invoke::Virtual, track(), vec![2, 1, 0]));
        code.push(Op::ReturnVoid);
        let b = app(vec![MethodDef::new("m", &[], "V", code)]);
        let got = run(&b, &["mixpanel"]);
        assert_eq!(got.len(), MAX_LABELS);
    }
}
