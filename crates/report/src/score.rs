//! The privacy scorecard: the `score` key of a document (`null` when the app could not be
//! read, see [`crate::readable`]). The weights and the computation live in
//! `trackscan-batch` (`score.rs`); this is the value they produce.

use serde::{Deserialize, Serialize};

/// One deduction of the scorecard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// Points taken off 100.
    pub points: u32,
    /// What caused it, for humans.
    pub why: String,
}

/// A letter grade of a score value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    /// 90 and above.
    A,
    /// 75 to 89.
    B,
    /// 60 to 74.
    C,
    /// 40 to 59.
    D,
    /// 20 to 39.
    E,
    /// Below 20.
    F,
}

impl Grade {
    /// The grade of `value`: A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, E ≥ 20, F below.
    pub fn of(value: u8) -> Grade {
        match value {
            90..=u8::MAX => Grade::A,
            75..=89 => Grade::B,
            60..=74 => Grade::C,
            40..=59 => Grade::D,
            20..=39 => Grade::E,
            _ => Grade::F,
        }
    }

    /// The letter (`"A"` … `"F"`), as documents write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
            Grade::E => "E",
            Grade::F => "F",
        }
    }
}

/// A privacy scorecard: 100 minus the sum of the reasons' points, floored at 0. Serializes as
/// `{"value", "grade", "reasons": [{"points", "why"}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// 0 (worst) ..= 100 (best).
    pub value: u8,
    /// The grade of `value`.
    pub grade: Grade,
    /// The deductions, largest first (ties by text).
    #[serde(default)]
    pub reasons: Vec<Reason>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_and_wire_form() {
        for (v, g) in [
            (100, "A"),
            (90, "A"),
            (89, "B"),
            (60, "C"),
            (59, "D"),
            (20, "E"),
            (19, "F"),
        ] {
            assert_eq!(Grade::of(v).as_str(), g);
        }
        let s = Score {
            value: 87,
            grade: Grade::of(87),
            reasons: vec![Reason {
                points: 13,
                why: "x".into(),
            }],
        };
        let j = serde_json::to_string(&s).unwrap();
        assert_eq!(
            j,
            r#"{"value":87,"grade":"B","reasons":[{"points":13,"why":"x"}]}"#
        );
        assert_eq!(serde_json::from_str::<Score>(&j).unwrap(), s);
    }
}
