//! The lifecycle statuses of a canvas, with the words users read.
//!
//! concept (the inbrenger drafts) -> ingebracht (on a meeting agenda) -> in behandeling ->
//! possibly opgeschaald -> doorbraak gerealiseerd or afgesloten zonder doorbraak -> gearchiveerd.
//! The status is a relational fact (one authoritative order), not part of the CRDT document.

use std::{fmt, str::FromStr};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CanvasStatus {
    Concept,
    Ingebracht,
    InBehandeling,
    Opgeschaald,
    DoorbraakGerealiseerd,
    AfgeslotenZonderDoorbraak,
    Gearchiveerd,
}

impl CanvasStatus {
    pub const ALL: [CanvasStatus; 7] = [
        CanvasStatus::Concept,
        CanvasStatus::Ingebracht,
        CanvasStatus::InBehandeling,
        CanvasStatus::Opgeschaald,
        CanvasStatus::DoorbraakGerealiseerd,
        CanvasStatus::AfgeslotenZonderDoorbraak,
        CanvasStatus::Gearchiveerd,
    ];

    /// The code stored in the database and used in the API.
    pub fn code(self) -> &'static str {
        match self {
            CanvasStatus::Concept => "concept",
            CanvasStatus::Ingebracht => "ingebracht",
            CanvasStatus::InBehandeling => "in_behandeling",
            CanvasStatus::Opgeschaald => "opgeschaald",
            CanvasStatus::DoorbraakGerealiseerd => "doorbraak_gerealiseerd",
            CanvasStatus::AfgeslotenZonderDoorbraak => "afgesloten_zonder_doorbraak",
            CanvasStatus::Gearchiveerd => "gearchiveerd",
        }
    }

    /// The word the UI shows.
    pub fn dutch(self) -> &'static str {
        match self {
            CanvasStatus::Concept => "Concept",
            CanvasStatus::Ingebracht => "Ingebracht",
            CanvasStatus::InBehandeling => "In behandeling",
            CanvasStatus::Opgeschaald => "Opgeschaald",
            CanvasStatus::DoorbraakGerealiseerd => "Doorbraak gerealiseerd",
            CanvasStatus::AfgeslotenZonderDoorbraak => "Afgesloten zonder doorbraak",
            CanvasStatus::Gearchiveerd => "Gearchiveerd",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown canvas status")]
pub struct UnknownStatus;

impl FromStr for CanvasStatus {
    type Err = UnknownStatus;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        CanvasStatus::ALL
            .into_iter()
            .find(|s| s.code() == code)
            .ok_or(UnknownStatus)
    }
}

impl fmt::Display for CanvasStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.dutch())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        for status in CanvasStatus::ALL {
            assert_eq!(status.code().parse::<CanvasStatus>().unwrap(), status);
        }
        assert!("klaar".parse::<CanvasStatus>().is_err());
        assert_eq!(CanvasStatus::InBehandeling.to_string(), "In behandeling");
    }
}
