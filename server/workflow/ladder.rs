//! The escalation ladder: lokaal doorbraakteam -> directie -> provinciale doorbraakcoach -> PMM.
//!
//! The team escalates a canvas that is in behandeling to a higher rung, with a question about the
//! systeemprobleem. Whoever works at that rung picks it up and answers, with an outcome: solved
//! or handed back (the canvas comes back to the team), or escalated further (a new step up, with
//! its own question). Who works at a rung: directie has no accounts of its own, so the team's
//! aanjager or projectleider records its answer; at coach level a doorbraakcoach of the canvas's
//! province; at PMM level PMM.

use crate::{
    access::policy::{self, Access, EscalationLevel},
    canvas::status::CanvasStatus,
};

/// Longest question or answer accepted.
pub const MAX_TEXT_CHARS: usize = 4000;

/// What came of an escalation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Solved: the canvas goes back to the team.
    Opgelost,
    /// Handed back to the team without a solution at this level.
    Teruggelegd,
    /// Escalated further, which opens the next step.
    VerderOpgeschaald,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [
        Outcome::Opgelost,
        Outcome::Teruggelegd,
        Outcome::VerderOpgeschaald,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Outcome::Opgelost => "opgelost",
            Outcome::Teruggelegd => "teruggelegd",
            Outcome::VerderOpgeschaald => "verder_opgeschaald",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.code() == code)
    }

    pub fn dutch(self) -> &'static str {
        match self {
            Outcome::Opgelost => "Opgelost",
            Outcome::Teruggelegd => "Teruggelegd bij het team",
            Outcome::VerderOpgeschaald => "Verder opgeschaald",
        }
    }
}

/// The Dutch name of a rung.
pub fn level_dutch(level: EscalationLevel) -> &'static str {
    match level {
        EscalationLevel::Team => "lokaal doorbraakteam",
        EscalationLevel::Directie => "directie",
        EscalationLevel::Coach => "provinciale doorbraakcoach",
        EscalationLevel::Pmm => "PMM",
    }
}

/// The rungs above `level`.
pub fn above(level: EscalationLevel) -> Vec<EscalationLevel> {
    [
        EscalationLevel::Directie,
        EscalationLevel::Coach,
        EscalationLevel::Pmm,
    ]
    .into_iter()
    .filter(|l| *l > level)
    .collect()
}

/// Why an escalation step was refused; `Display` is the Dutch message for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LadderError {
    #[error("Alleen een canvas dat in behandeling is kan worden opgeschaald.")]
    NotInTreatment,
    #[error("Dit canvas is al opgeschaald; het antwoord daarop kan het verder opschalen.")]
    AlreadyEscalated,
    #[error("Kies een hoger niveau dan het huidige ({0}).")]
    NotHigher(&'static str),
    #[error("Stel de vraag over het systeemprobleem; die is verplicht.")]
    QuestionRequired,
    #[error("Vul het antwoord in.")]
    AnswerRequired,
    #[error("Een vraag of antwoord mag hoogstens 4000 tekens lang zijn.")]
    TooLong,
    #[error("{0}")]
    NotParagraphs(#[from] crate::text::NotParagraphs),
    #[error("Alleen de leden van het team kunnen dit canvas opschalen.")]
    NotTheTeam,
    #[error("Dit is aan {0}.")]
    NotYourRung(&'static str),
    #[error("Er staat geen escalatie open.")]
    NothingOpen,
}

/// A required question or answer, trimmed.
pub fn text(raw: &str, missing: LadderError) -> Result<String, LadderError> {
    // Paragraphs only: no control characters (a NUL, which PostgreSQL's text cannot hold, among
    // them) and no reversed reading direction.
    let text = crate::text::paragraphs(raw)?;
    if text.is_empty() {
        return Err(missing);
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(LadderError::TooLong);
    }
    Ok(text)
}

/// Whether the team may escalate the canvas from its own level to `to`: members who may edit,
/// while it is in behandeling and not escalated already.
pub fn may_escalate(
    account: &policy::Account,
    canvas: &policy::Canvas,
    access: Access,
    status: CanvasStatus,
    to: EscalationLevel,
) -> Result<(), LadderError> {
    if !(account.is_member(canvas.team) && access.may_edit()) {
        return Err(LadderError::NotTheTeam);
    }
    if canvas.level != EscalationLevel::Team || status == CanvasStatus::Opgeschaald {
        return Err(LadderError::AlreadyEscalated);
    }
    if status != CanvasStatus::InBehandeling {
        return Err(LadderError::NotInTreatment);
    }
    if to <= canvas.level {
        return Err(LadderError::NotHigher(level_dutch(canvas.level)));
    }
    Ok(())
}

/// Whether `account` works at `level` for this canvas: may pick up and answer its escalation.
pub fn may_handle(
    account: &policy::Account,
    canvas: &policy::Canvas,
    level: EscalationLevel,
) -> bool {
    policy::works_at(account, canvas, level)
}

/// Checks an answer at `level`; with [`Outcome::VerderOpgeschaald`] `further` is the next rung.
pub fn may_answer(
    account: &policy::Account,
    canvas: &policy::Canvas,
    level: EscalationLevel,
    outcome: Outcome,
    further: Option<EscalationLevel>,
) -> Result<(), LadderError> {
    if level == EscalationLevel::Team {
        return Err(LadderError::NothingOpen);
    }
    if !may_handle(account, canvas, level) {
        return Err(LadderError::NotYourRung(who_handles(level)));
    }
    if outcome == Outcome::VerderOpgeschaald && further.is_none_or(|to| to <= level) {
        return Err(LadderError::NotHigher(level_dutch(level)));
    }
    Ok(())
}

/// Who works at a rung, for messages ("Dit is aan ...").
pub fn who_handles(level: EscalationLevel) -> &'static str {
    match level {
        EscalationLevel::Team => "het team",
        EscalationLevel::Directie => "de aanjager of projectleider, namens de directie",
        EscalationLevel::Coach => "de doorbraakcoach van de provincie",
        EscalationLevel::Pmm => "PMM",
    }
}

#[cfg(test)]
mod tests {
    use super::{EscalationLevel::*, *};
    use crate::access::policy::{AccountId, ProvinceId, TeamId, TeamRole};

    fn canvas(level: EscalationLevel) -> policy::Canvas {
        policy::Canvas {
            id: crate::canvas::CanvasId::random(),
            team: TeamId(1),
            brought_in_by: None,
            province: ProvinceId(5),
            level,
            highest_level: level,
            archived: false,
            archive_scope: None,
        }
    }

    fn member(role: TeamRole) -> policy::Account {
        policy::Account {
            id: Some(AccountId(1)),
            memberships: vec![(TeamId(1), role)],
            ..Default::default()
        }
    }

    #[test]
    fn a_team_member_escalates_a_canvas_in_treatment_to_any_higher_rung() {
        let teamlid = member(TeamRole::Teamlid);
        for to in [Directie, Coach, Pmm] {
            assert_eq!(
                may_escalate(
                    &teamlid,
                    &canvas(Team),
                    Access::Edit,
                    CanvasStatus::InBehandeling,
                    to
                ),
                Ok(())
            );
        }
        assert_eq!(
            may_escalate(
                &teamlid,
                &canvas(Team),
                Access::Edit,
                CanvasStatus::Concept,
                Coach
            ),
            Err(LadderError::NotInTreatment)
        );
        assert_eq!(
            may_escalate(
                &teamlid,
                &canvas(Coach),
                Access::Edit,
                CanvasStatus::Opgeschaald,
                Pmm
            ),
            Err(LadderError::AlreadyEscalated)
        );
        assert_eq!(
            may_escalate(
                &teamlid,
                &canvas(Team),
                Access::Edit,
                CanvasStatus::InBehandeling,
                Team
            ),
            Err(LadderError::NotHigher("lokaal doorbraakteam"))
        );
        let coach = policy::Account {
            coach_of: Some(ProvinceId(5)),
            ..Default::default()
        };
        assert_eq!(
            may_escalate(
                &coach,
                &canvas(Team),
                Access::Edit,
                CanvasStatus::InBehandeling,
                Pmm
            ),
            Err(LadderError::NotTheTeam)
        );
    }

    #[test]
    fn each_rung_is_answered_by_whoever_works_there() {
        let aanjager = member(TeamRole::Aanjager);
        let teamlid = member(TeamRole::Teamlid);
        let coach = policy::Account {
            coach_of: Some(ProvinceId(5)),
            ..Default::default()
        };
        let elsewhere = policy::Account {
            coach_of: Some(ProvinceId(6)),
            ..Default::default()
        };
        let pmm = policy::Account {
            pmm: true,
            ..Default::default()
        };
        let cases = [
            (Directie, &aanjager, true),
            (Directie, &teamlid, false),
            (Directie, &coach, false),
            (Coach, &coach, true),
            (Coach, &elsewhere, false),
            (Coach, &aanjager, false),
            (Pmm, &pmm, true),
            (Pmm, &coach, false),
        ];
        for (level, who, allowed) in cases {
            let result = may_answer(who, &canvas(level), level, Outcome::Opgelost, None);
            assert_eq!(result.is_ok(), allowed, "{level:?} {who:?}");
        }
        assert_eq!(
            may_answer(
                &coach,
                &canvas(Coach),
                Coach,
                Outcome::VerderOpgeschaald,
                Some(Directie)
            ),
            Err(LadderError::NotHigher("provinciale doorbraakcoach"))
        );
        assert_eq!(
            may_answer(
                &coach,
                &canvas(Coach),
                Coach,
                Outcome::VerderOpgeschaald,
                Some(Pmm)
            ),
            Ok(())
        );
    }

    #[test]
    fn texts_are_required_and_bounded() {
        assert_eq!(
            text("  ", LadderError::QuestionRequired),
            Err(LadderError::QuestionRequired)
        );
        assert_eq!(
            text(" Mag dit? ", LadderError::QuestionRequired).unwrap(),
            "Mag dit?"
        );
        assert_eq!(
            text(
                &"x".repeat(MAX_TEXT_CHARS + 1),
                LadderError::QuestionRequired
            ),
            Err(LadderError::TooLong)
        );
        assert_eq!(above(Coach), [Pmm]);
        for outcome in Outcome::ALL {
            assert_eq!(Outcome::from_code(outcome.code()), Some(outcome));
        }
    }
}
