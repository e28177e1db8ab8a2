//! The lifecycle of a canvas: which status changes exist and who may make them, in one table.
//!
//! concept -> ingebracht -> in behandeling -> (opgeschaald) -> doorbraak gerealiseerd or
//! afgesloten zonder doorbraak -> gearchiveerd. Opgeschaald is entered and left only through the
//! escalation ladder, never by hand; gearchiveerd is final.

use crate::{
    access::policy::{self, Access, TeamRole},
    canvas::status::CanvasStatus::{self, *},
};

/// Who may make a transition by hand: the roles in the canvas's team (an inbrenger only on the
/// case they brought in, which the access policy already ensures).
const TRANSITIONS: &[(CanvasStatus, CanvasStatus, &[TeamRole])] = {
    use TeamRole::*;
    &[
        (Concept, Ingebracht, &[Aanjager, Projectleider, Inbrenger]),
        (Ingebracht, Concept, &[Aanjager, Projectleider, Inbrenger]),
        (Ingebracht, InBehandeling, &[Aanjager, Projectleider]),
        (InBehandeling, DoorbraakGerealiseerd, &[Aanjager]),
        (InBehandeling, AfgeslotenZonderDoorbraak, &[Aanjager]),
        (DoorbraakGerealiseerd, InBehandeling, &[Aanjager]),
        (AfgeslotenZonderDoorbraak, InBehandeling, &[Aanjager]),
        (DoorbraakGerealiseerd, Gearchiveerd, &[Aanjager]),
        (AfgeslotenZonderDoorbraak, Gearchiveerd, &[Aanjager]),
    ]
};

/// Why a status change was refused; `Display` is the Dutch message for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("Een canvas met status «{from}» kan niet naar «{to}».")]
    NotAllowed {
        from: CanvasStatus,
        to: CanvasStatus,
    },
    #[error("Een canvas wordt alleen opgeschaald en teruggelegd via een escalatie.")]
    OnlyByEscalation,
    #[error("Deze stap is voorbehouden aan: {0}.")]
    Role(String),
}

/// The roles that may move a canvas from `from` to `to` by hand.
pub fn roles_for(
    from: CanvasStatus,
    to: CanvasStatus,
) -> Result<&'static [TeamRole], TransitionError> {
    if from == Opgeschaald || to == Opgeschaald {
        return Err(TransitionError::OnlyByEscalation);
    }
    TRANSITIONS
        .iter()
        .find(|(f, t, _)| *f == from && *t == to)
        .map(|(_, _, roles)| *roles)
        .ok_or(TransitionError::NotAllowed { from, to })
}

/// Whether `account`, with `access` to the canvas, may move it from `from` to `to`.
pub fn check(
    account: &policy::Account,
    canvas: &policy::Canvas,
    access: Access,
    from: CanvasStatus,
    to: CanvasStatus,
) -> Result<(), TransitionError> {
    let roles = roles_for(from, to)?;
    if access.may_edit() && account.holds(canvas.team, roles) {
        Ok(())
    } else {
        let names: Vec<&str> = roles.iter().map(|r| r.dutch()).collect();
        Err(TransitionError::Role(names.join(", ").to_lowercase()))
    }
}

/// Why `account` may not move the canvas from `from` to `to`, in Dutch, when only their role
/// stands in the way ("Alleen de aanjager kan dit canvas naar «Gearchiveerd» zetten."); `None`
/// when they may, or when the move is not one anybody makes by hand.
pub fn why_not(
    account: &policy::Account,
    canvas: &policy::Canvas,
    access: Access,
    from: CanvasStatus,
    to: CanvasStatus,
) -> Option<String> {
    let roles = roles_for(from, to).ok()?;
    if check(account, canvas, access, from, to).is_ok() {
        return None;
    }
    let who: Vec<String> = roles
        .iter()
        .map(|r| format!("de {}", r.dutch().to_lowercase()))
        .collect();
    Some(format!(
        "Alleen {} kan dit canvas naar «{}» zetten.",
        who.join(" of "),
        to.dutch()
    ))
}

/// The statuses a canvas can be moved to by hand from `from`, by anyone.
pub fn next(from: CanvasStatus) -> impl Iterator<Item = CanvasStatus> {
    TRANSITIONS
        .iter()
        .filter(move |(f, _, _)| *f == from)
        .map(|(_, to, _)| *to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::policy::{AccountId, EscalationLevel, ProvinceId, TeamId};

    const TEAM: TeamId = TeamId(1);

    fn member(role: TeamRole) -> policy::Account {
        policy::Account {
            id: Some(AccountId(7)),
            memberships: vec![(TEAM, role)],
            ..Default::default()
        }
    }

    fn canvas() -> policy::Canvas {
        policy::Canvas {
            id: crate::canvas::CanvasId::random(),
            team: TEAM,
            brought_in_by: Some(AccountId(7)),
            province: ProvinceId(1),
            level: EscalationLevel::Team,
            highest_level: EscalationLevel::Team,
            archived: false,
            archive_scope: None,
        }
    }

    #[test]
    fn who_may_not_act_is_told_who_may() {
        use CanvasStatus::*;
        let canvas = canvas();
        let teamlid = member(TeamRole::Teamlid);
        let why = why_not(
            &teamlid,
            &canvas,
            Access::Edit,
            InBehandeling,
            DoorbraakGerealiseerd,
        );
        let why = why.expect("a teamlid may not close");
        assert!(why.starts_with("Alleen de aanjager"), "{why}");
        assert!(why.contains("Doorbraak gerealiseerd"), "{why}");
        let aanjager = member(TeamRole::Aanjager);
        let allowed = why_not(
            &aanjager,
            &canvas,
            Access::Edit,
            InBehandeling,
            DoorbraakGerealiseerd,
        );
        assert_eq!(allowed, None);
        assert_eq!(
            why_not(&teamlid, &canvas, Access::Edit, Concept, Opgeschaald),
            None
        );
    }

    /// Every pair of statuses, for every role: allowed exactly where the table says.
    #[test]
    fn every_transition_for_every_role() {
        for from in CanvasStatus::ALL {
            for to in CanvasStatus::ALL {
                for role in TeamRole::ALL {
                    let account = member(role);
                    let access = policy::canvas_access(&account, &canvas());
                    let result = check(&account, &canvas(), access, from, to);
                    let listed = TRANSITIONS
                        .iter()
                        .any(|(f, t, roles)| *f == from && *t == to && roles.contains(&role));
                    assert_eq!(result.is_ok(), listed, "{role:?}: {from:?} -> {to:?}");
                }
            }
        }
    }

    #[test]
    fn refusals_say_why_in_dutch() {
        let aanjager = member(TeamRole::Aanjager);
        let access = Access::Edit;
        assert_eq!(
            check(&aanjager, &canvas(), access, Concept, Gearchiveerd)
                .unwrap_err()
                .to_string(),
            "Een canvas met status «Concept» kan niet naar «Gearchiveerd»."
        );
        assert_eq!(
            check(&aanjager, &canvas(), access, InBehandeling, Opgeschaald),
            Err(TransitionError::OnlyByEscalation)
        );
        let teamlid = member(TeamRole::Teamlid);
        assert_eq!(
            check(
                &teamlid,
                &canvas(),
                access,
                InBehandeling,
                DoorbraakGerealiseerd
            )
            .unwrap_err()
            .to_string(),
            "Deze stap is voorbehouden aan: aanjager."
        );
        let coach = policy::Account {
            coach_of: Some(ProvinceId(1)),
            ..Default::default()
        };
        assert!(check(&coach, &canvas(), Access::Edit, Concept, Ingebracht).is_err());
    }

    #[test]
    fn archived_is_final() {
        assert_eq!(next(Gearchiveerd).count(), 0);
        assert_eq!(
            next(InBehandeling).collect::<Vec<_>>(),
            [DoorbraakGerealiseerd, AfgeslotenZonderDoorbraak]
        );
    }
}
