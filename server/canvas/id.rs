//! Canvas ids: random UUIDs, so that ids reveal nothing and cannot be guessed.

use std::{fmt, str::FromStr};

/// The id of a canvas, always a lowercase hyphenated UUID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CanvasId(String);

impl CanvasId {
    /// A fresh random id.
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4().hyphenated().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The text is not a canvas id.
#[derive(Debug, thiserror::Error)]
#[error("not a canvas id")]
pub struct InvalidCanvasId;

impl FromStr for CanvasId {
    type Err = InvalidCanvasId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        // Only the canonical form is accepted, so one canvas has exactly one spelling.
        let uuid = uuid::Uuid::try_parse(text).map_err(|_| InvalidCanvasId)?;
        let canonical = uuid.hyphenated().to_string();
        if canonical == text {
            Ok(Self(canonical))
        } else {
            Err(InvalidCanvasId)
        }
    }
}

/// Sent as its text and read back through [`FromStr`], so that no invalid id gets in this way
/// either (the event bus carries ids between server processes).
impl serde::Serialize for CanvasId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for CanvasId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for CanvasId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_the_canonical_form() {
        let id = CanvasId::random();
        assert_eq!(id.as_str().parse::<CanvasId>().unwrap(), id);
        assert!(id.as_str().to_uppercase().parse::<CanvasId>().is_err());
        assert!("casus-17".parse::<CanvasId>().is_err());
        assert!("".parse::<CanvasId>().is_err());
    }
}
