//! Who may use which part of the workspace beside the canvases: teams, budgets, the audit log,
//! the dashboards, administration and metrics. Handlers and views ask these predicates; none of
//! them compares roles itself.

use super::policy::{Account, MeetingId, ProvinceId, TeamId, TeamRole};

/// Whether `account` sees `team` (its page, members and invitations): its members and
/// beheerders.
pub fn may_see_team(account: &Account, team: TeamId) -> bool {
    account.beheerder || account.is_member(team)
}

/// Whether a team with members in `roles` still needs its first aanjager (the beheerder's setup).
pub fn needs_aanjager(roles: impl IntoIterator<Item = TeamRole>) -> bool {
    !roles.into_iter().any(|role| role == TeamRole::Aanjager)
}

/// Whether `account` sees `team`'s overleggen and their agendas: the team's members (guests of
/// one overleg follow with their own grant).
pub fn may_see_meetings(account: &Account, team: TeamId) -> bool {
    account.is_member(team)
}

/// Whether `account` sees one overleg of `team`: the team's members, and the guests invited to
/// it (its page, agenda and calendar entry at any time; the canvases only in their window).
pub fn may_see_meeting(account: &Account, team: TeamId, meeting: MeetingId) -> bool {
    may_see_meetings(account, team) || account.guest.meetings.contains(&meeting)
}

/// Whether `account` runs `team`'s overleg live (starts it, moves through the agenda, the timer,
/// ends it), invites its guests and fixes its verslag: whoever plans them.
pub fn may_run_meeting(account: &Account, team: TeamId) -> bool {
    may_plan_meetings(account, team)
}

/// Whether `account` records besluiten and actiepunten in `team`'s overleg: everyone working in
/// the team (not an inbrenger, not a guest).
pub fn may_record_meeting(account: &Account, team: TeamId) -> bool {
    account.works_in(team)
}

/// Whether `account` reads the verslag of `team`'s overleggen: it holds every item's besluit, so
/// only who works in the team (an inbrenger reads the besluit on their own canvas's item).
pub fn may_read_minutes(account: &Account, team: TeamId) -> bool {
    account.works_in(team)
}

/// Whether `account` marks an actiepunt of `team` owned by `owner` done: its owner, or whoever
/// records in the team's overleggen.
pub fn may_finish_action(account: &Account, team: TeamId, owner: crate::ids::AccountId) -> bool {
    account.id == Some(owner) || may_record_meeting(account, team)
}

/// Whether `account` has overleggen to go to: of its teams, or as a guest (the menu's link).
pub fn has_meetings(account: &Account) -> bool {
    !meeting_teams(account).is_empty() || !account.guest.meetings.is_empty()
}

/// The teams whose overleggen `account` sees: its calendar and "Mijn overleggen".
pub fn meeting_teams(account: &Account) -> Vec<TeamId> {
    account
        .memberships
        .iter()
        .map(|(team, _)| *team)
        .filter(|team| may_see_meetings(account, *team))
        .collect()
}

/// Whether `account` plans, changes and cancels `team`'s overleggen and sets their agenda: the
/// aanjager and the projectleider, who chair them.
pub fn may_plan_meetings(account: &Account, team: TeamId) -> bool {
    account.leads(team)
}

/// Whether a member in `role` may chair an overleg: the aanjager or the projectleider.
pub fn may_chair(role: TeamRole) -> bool {
    matches!(role, TeamRole::Aanjager | TeamRole::Projectleider)
}

/// Whether the menu offers the teams page: to members of any team and to beheerders.
pub fn may_list_teams(account: &Account) -> bool {
    account.beheerder || !account.memberships.is_empty()
}

/// Whether `account` sees `team`'s doorbraakbudget and ledger: everyone working in the team
/// (not the inbrenger, who only brings a case in).
pub fn may_see_budget(account: &Account, team: TeamId) -> bool {
    account.works_in(team)
}

/// Whether `account` may set `team`'s budget for a year: its aanjager.
pub fn may_set_budget(account: &Account, team: TeamId) -> bool {
    account.is_aanjager(team)
}

/// Whose audit entries someone may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditScope {
    /// Every entry: a beheerder.
    All,
    /// The entries of these teams: an aanjager, of the teams they run.
    Teams(Vec<TeamId>),
}

/// What of the audit log `account` may read; `None` for nothing.
pub fn audit_scope(account: &Account) -> Option<AuditScope> {
    if account.beheerder {
        return Some(AuditScope::All);
    }
    let teams = account.aanjager_teams();
    (!teams.is_empty()).then_some(AuditScope::Teams(teams))
}

/// Whether `account` may read an audit log at all (for the menu).
pub fn may_read_audit(account: &Account) -> bool {
    audit_scope(account).is_some()
}

/// The provinces whose coach dashboard `account` may open; empty for anyone who coaches none.
pub fn coached_provinces(account: &Account) -> Vec<ProvinceId> {
    account.coach_of.into_iter().collect()
}

/// Whether `account` may open the PMM inbox.
pub fn may_use_pmm_inbox(account: &Account) -> bool {
    account.pmm
}

/// Whether `account` may ask the anonymity check: whoever does casework (a role in a team, a
/// doorbraakcoach, PMM, a guest while their overleg's canvases are open); a beheerder only
/// administers.
pub fn may_check_anonymity(account: &Account) -> bool {
    !account.memberships.is_empty()
        || account.coach_of.is_some()
        || account.pmm
        || !account.guest.canvases.is_empty()
}

/// Whether `account` may search the learning archive (and open the lerend-evalueren
/// dashboards): whoever does casework in a team, a doorbraakcoach, PMM. What each finds is the
/// canvas policy's to say, per canvas.
pub fn may_search_archive(account: &Account) -> bool {
    !account.memberships.is_empty() || account.coach_of.is_some() || account.pmm
}

/// Whether `account` may add the own team's live canvases to an archive search: a member.
pub fn may_search_live(account: &Account) -> bool {
    !account.memberships.is_empty()
}

/// Whose lerend-evalueren dashboard: a team's or a gemeente's (given the teams it covers), a
/// province's, the country's.
#[derive(Debug, Clone, Copy)]
pub enum EvaluationScope<'a> {
    Teams(&'a [TeamId]),
    Province(ProvinceId),
    Country,
}

/// Whether `account` may open a lerend-evalueren dashboard (figures only, no canvas content): a
/// team's or gemeente's for who works in one of its teams, a province's for its doorbraakcoach,
/// the country's for PMM.
pub fn may_open_evaluation(account: &Account, scope: EvaluationScope<'_>) -> bool {
    match scope {
        EvaluationScope::Teams(teams) => teams.iter().any(|t| account.works_in(*t)),
        EvaluationScope::Province(p) => account.coaches(p),
        EvaluationScope::Country => account.pmm,
    }
}

/// Whether `account` keeps `team`'s leeragenda (adds leerpunten and veranderacties, moves them
/// on): who works in the team.
pub fn may_keep_learning_agenda(account: &Account, team: TeamId) -> bool {
    account.works_in(team)
}

/// Whether a team member in `role` is warned before a closed canvas of the team is purged: the
/// aanjager, who alone may archive it.
pub fn hears_of_retention(role: TeamRole) -> bool {
    role == TeamRole::Aanjager
}

/// Whether `account` may redact personal data in `team`'s frozen copies (versions and
/// escalations' copies), which nobody can edit: the aanjager, who archives.
pub fn may_redact(account: &Account, team: TeamId) -> bool {
    account.is_aanjager(team)
}

/// Whether `account` may administer provinces, gemeenten, teams and accounts.
pub fn may_administer(account: &Account) -> bool {
    account.beheerder
}

/// Whether `account` may read the server's metrics.
pub fn may_read_metrics(account: &Account) -> bool {
    account.beheerder
}

/// Whether `account` only administers: a beheerder in no team, who sees no casework at all (the
/// overview says so instead of showing an empty list).
pub fn administers_only(account: &Account) -> bool {
    account.beheerder && account.memberships.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::policy::AccountId;

    const TEAM: TeamId = TeamId(1);
    const OTHER: TeamId = TeamId(2);

    fn member(role: TeamRole) -> Account {
        Account {
            id: Some(AccountId(1)),
            memberships: vec![(TEAM, role)],
            ..Account::default()
        }
    }

    fn beheerder() -> Account {
        Account {
            id: Some(AccountId(1)),
            beheerder: true,
            ..Account::default()
        }
    }

    /// One row per person: (who, sees the team, sees its budget, sets its budget, audit scope).
    #[test]
    fn the_workspace_table() {
        use TeamRole::*;
        let all = Some(AuditScope::All);
        let own = Some(AuditScope::Teams(vec![TEAM]));
        type Row = (&'static str, Account, bool, bool, bool, Option<AuditScope>);
        let rows: Vec<Row> = vec![
            ("aanjager", member(Aanjager), true, true, true, own),
            (
                "projectleider",
                member(Projectleider),
                true,
                true,
                false,
                None,
            ),
            ("teamlid", member(Teamlid), true, true, false, None),
            ("inbrenger", member(Inbrenger), true, false, false, None),
            ("beheerder", beheerder(), true, false, false, all),
            ("stranger", Account::default(), false, false, false, None),
        ];
        for (who, account, team, budget, sets, audit) in rows {
            assert_eq!(may_see_team(&account, TEAM), team, "{who} sees the team");
            assert_eq!(
                may_see_budget(&account, TEAM),
                budget,
                "{who} sees the budget"
            );
            assert_eq!(
                may_set_budget(&account, TEAM),
                sets,
                "{who} sets the budget"
            );
            assert_eq!(audit_scope(&account), audit, "{who} reads the audit log");
            assert_eq!(may_read_audit(&account), audit_scope(&account).is_some());
            // Nothing carries over to another team.
            assert!(!may_see_budget(&account, OTHER) && !may_set_budget(&account, OTHER));
            assert_eq!(may_see_team(&account, OTHER), account.beheerder, "{who}");
        }
    }

    #[test]
    fn dashboards_and_administration_are_for_their_roles_only() {
        let coach = Account {
            coach_of: Some(ProvinceId(5)),
            ..Account::default()
        };
        let pmm = Account {
            pmm: true,
            ..Account::default()
        };
        assert_eq!(coached_provinces(&coach), vec![ProvinceId(5)]);
        assert!(coached_provinces(&pmm).is_empty());
        assert!(may_use_pmm_inbox(&pmm) && !may_use_pmm_inbox(&coach));
        assert!(may_administer(&beheerder()) && may_read_metrics(&beheerder()));
        for other in [coach, pmm, member(TeamRole::Aanjager)] {
            assert!(!may_administer(&other) && !may_read_metrics(&other));
        }
        assert!(administers_only(&beheerder()));
        let mut in_a_team = beheerder();
        in_a_team.memberships.push((TEAM, TeamRole::Teamlid));
        assert!(!administers_only(&in_a_team));
        assert!(may_list_teams(&in_a_team) && may_list_teams(&beheerder()));
        assert!(!may_list_teams(&Account::default()));
    }

    /// One row per person: (who, sees the overleg, runs it, records in it, finishes another's
    /// actiepunt).
    #[test]
    fn the_meeting_table() {
        use TeamRole::*;
        let meeting = MeetingId(7);
        let guest = Account {
            id: Some(AccountId(9)),
            guest: crate::access::policy::Guest {
                meetings: vec![meeting],
                canvases: Vec::new(),
            },
            ..Account::default()
        };
        let rows: Vec<(&str, Account, bool, bool, bool, bool)> = vec![
            ("aanjager", member(Aanjager), true, true, true, true),
            (
                "projectleider",
                member(Projectleider),
                true,
                true,
                true,
                true,
            ),
            ("teamlid", member(Teamlid), true, false, true, true),
            ("inbrenger", member(Inbrenger), true, false, false, false),
            ("guest", guest, true, false, false, false),
            ("beheerder", beheerder(), false, false, false, false),
            ("stranger", Account::default(), false, false, false, false),
        ];
        for (who, account, sees, runs, records, finishes) in rows {
            assert_eq!(may_see_meeting(&account, TEAM, meeting), sees, "{who} sees");
            assert!(
                !may_see_meeting(&account, OTHER, MeetingId(8)),
                "{who} elsewhere"
            );
            assert_eq!(may_run_meeting(&account, TEAM), runs, "{who} runs");
            assert_eq!(may_record_meeting(&account, TEAM), records, "{who} records");
            assert_eq!(
                may_read_minutes(&account, TEAM),
                records,
                "{who} reads the verslag"
            );
            assert!(
                !may_read_minutes(&account, OTHER),
                "{who}: another team's verslag"
            );
            assert_eq!(
                may_finish_action(&account, TEAM, AccountId(55)),
                finishes,
                "{who} finishes another's actiepunt"
            );
            if let Some(own) = account.id {
                assert!(
                    may_finish_action(&account, TEAM, own),
                    "{who} finishes their own"
                );
            }
        }
    }
}
