//! The access policy: one function that decides, for an account and a canvas, what the account
//! may do with the canvas's content. Every page, API call and WebSocket upgrade is to ask it.
//!
//! | who | canvases of their own team | canvases of other teams | escalated canvases |
//! |---|---|---|---|
//! | aanjager, projectleider, teamlid | read and edit | nothing | — |
//! | inbrenger | create; read and edit the canvases they brought in | nothing | — |
//! | doorbraakcoach | nothing by default | nothing | read and edit while escalated to a coach of their province (or further); read-only afterwards |
//! | PMM | — | — | read those escalated to PMM, write only PMM's answer; read-only afterwards |
//! | guest of one overleg | — | the canvases on that overleg's agenda: read and comment (edit if the chair allows), from an hour before it starts until it ends plus the grace period | |
//! | beheerder | administration only; no canvas content | | |
//!
//! One person can hold several roles; the most generous applicable rule wins.

pub use crate::ids::{AccountId, MeetingId, ProvinceId, TeamId};

use crate::canvas::CanvasId;

/// A person's role in one team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamRole {
    Aanjager,
    Projectleider,
    Teamlid,
    Inbrenger,
}

impl TeamRole {
    pub const ALL: [TeamRole; 4] = [
        TeamRole::Aanjager,
        TeamRole::Projectleider,
        TeamRole::Teamlid,
        TeamRole::Inbrenger,
    ];

    /// The code stored in the database and sent in forms.
    pub fn code(self) -> &'static str {
        match self {
            TeamRole::Aanjager => "aanjager",
            TeamRole::Projectleider => "projectleider",
            TeamRole::Teamlid => "teamlid",
            TeamRole::Inbrenger => "inbrenger",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.code() == code)
    }

    /// The Dutch name shown to users.
    pub fn dutch(self) -> &'static str {
        match self {
            TeamRole::Aanjager => "Aanjager",
            TeamRole::Projectleider => "Projectleider",
            TeamRole::Teamlid => "Teamlid",
            TeamRole::Inbrenger => "Inbrenger",
        }
    }
}

/// What the policy needs to know of an account.
#[derive(Debug, Clone, Default)]
pub struct Account {
    pub id: Option<AccountId>,
    pub memberships: Vec<(TeamId, TeamRole)>,
    /// The province the account is a doorbraakcoach of.
    pub coach_of: Option<ProvinceId>,
    pub pmm: bool,
    pub beheerder: bool,
    /// What the account may do as a guest of overleggen.
    pub guest: Guest,
    /// The provinces of the teams it is a member of (for archived canvases shared there).
    pub member_provinces: Vec<ProvinceId>,
}

/// An account's invitations as a guest of single overleggen.
#[derive(Debug, Clone, Default)]
pub struct Guest {
    /// The overleggen it is invited to (it sees their page and agenda).
    pub meetings: Vec<MeetingId>,
    /// The canvases on those agendas whose window is open now, and whether the chair lets it
    /// edit them.
    pub canvases: Vec<(CanvasId, bool)>,
}

/// The facts every rule is built from: which role someone holds where. Rules elsewhere ask these
/// (or the named predicates built on them) and never compare roles themselves.
impl Account {
    /// A digest of everything the policy knows of the account, whatever order the database
    /// listed it in: equal digests, equal answers from every rule. A stream that filters what
    /// it sends by the account's access as it opened is re-checked with it.
    pub fn digest(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut memberships: Vec<_> = self
            .memberships
            .iter()
            .map(|(team, role)| (*team, *role as u8))
            .collect();
        memberships.sort_unstable();
        let mut meetings = self.guest.meetings.clone();
        meetings.sort_unstable();
        let mut canvases = self.guest.canvases.clone();
        canvases.sort_unstable();
        let mut provinces = self.member_provinces.clone();
        provinces.sort_unstable();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (
            self.id,
            memberships,
            self.coach_of,
            self.pmm,
            self.beheerder,
        )
            .hash(&mut hasher);
        (meetings, canvases, provinces).hash(&mut hasher);
        hasher.finish()
    }

    /// The account's role in `team`, if it is a member (the most responsible one if it holds
    /// several).
    pub fn role_in(&self, team: TeamId) -> Option<TeamRole> {
        self.memberships
            .iter()
            .filter(|(t, _)| *t == team)
            .map(|(_, role)| *role)
            .min_by_key(|role| *role as u8)
    }

    /// Whether the account is in `team`, in any role.
    pub fn is_member(&self, team: TeamId) -> bool {
        self.memberships.iter().any(|(t, _)| *t == team)
    }

    /// Whether the account holds one of `roles` in `team`.
    pub fn holds(&self, team: TeamId, roles: &[TeamRole]) -> bool {
        self.memberships
            .iter()
            .any(|(t, role)| *t == team && roles.contains(role))
    }

    /// Whether the account runs `team`: its aanjager or projectleider (the team's directie).
    pub fn leads(&self, team: TeamId) -> bool {
        self.holds(team, &[TeamRole::Aanjager, TeamRole::Projectleider])
    }

    /// Whether the account is `team`'s aanjager.
    pub fn is_aanjager(&self, team: TeamId) -> bool {
        self.holds(team, &[TeamRole::Aanjager])
    }

    /// Whether the account works in `team` beyond bringing in a case: every role but inbrenger.
    pub fn works_in(&self, team: TeamId) -> bool {
        self.holds(
            team,
            &[
                TeamRole::Aanjager,
                TeamRole::Projectleider,
                TeamRole::Teamlid,
            ],
        )
    }

    /// The teams the account is aanjager of.
    pub fn aanjager_teams(&self) -> Vec<TeamId> {
        let mut teams: Vec<TeamId> = self
            .memberships
            .iter()
            .filter(|(_, role)| *role == TeamRole::Aanjager)
            .map(|(team, _)| *team)
            .collect();
        teams.sort_unstable();
        teams.dedup();
        teams
    }

    /// Whether the account is the doorbraakcoach of `province`.
    pub fn coaches(&self, province: ProvinceId) -> bool {
        self.coach_of == Some(province)
    }
}

/// The rungs of the escalation ladder.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum EscalationLevel {
    /// Lokaal doorbraakteam: not escalated.
    Team,
    Directie,
    Coach,
    Pmm,
}

impl EscalationLevel {
    pub const ALL: [EscalationLevel; 4] = [
        EscalationLevel::Team,
        EscalationLevel::Directie,
        EscalationLevel::Coach,
        EscalationLevel::Pmm,
    ];

    /// The code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            EscalationLevel::Team => "team",
            EscalationLevel::Directie => "directie",
            EscalationLevel::Coach => "coach",
            EscalationLevel::Pmm => "pmm",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|level| level.code() == code)
    }
}

/// What the policy needs to know of a canvas.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Canvas {
    pub id: CanvasId,
    pub team: TeamId,
    /// The inbrenger who brought the case in.
    pub brought_in_by: Option<AccountId>,
    /// The province of the team's gemeente.
    pub province: ProvinceId,
    /// Where the canvas stands on the ladder now.
    pub level: EscalationLevel,
    /// The highest level it ever reached (it can come back down).
    pub highest_level: EscalationLevel,
    /// Gearchiveerd: learning material, read-only for everyone from that moment on.
    pub archived: bool,
    /// Who else may read it once archived, as the aanjager chose.
    pub archive_scope: Option<ArchiveScope>,
}

/// Who may read an archived canvas as learning material, beyond those who read it already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ArchiveScope {
    /// Its own team (and whoever read it before).
    Team,
    /// Every doorbraakteam of its province and the province's coach.
    Province,
    /// Every doorbraakteam, coach and PMM in the country.
    Country,
}

impl ArchiveScope {
    pub const ALL: [ArchiveScope; 3] = [
        ArchiveScope::Team,
        ArchiveScope::Province,
        ArchiveScope::Country,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ArchiveScope::Team => "team",
            ArchiveScope::Province => "provincie",
            ArchiveScope::Country => "land",
        }
    }

    pub fn dutch(self) -> &'static str {
        match self {
            ArchiveScope::Team => "Alleen het eigen team",
            ArchiveScope::Province => "De doorbraakteams en de doorbraakcoach van de provincie",
            ArchiveScope::Country => "Alle doorbraakteams, doorbraakcoaches en PMM in het land",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

impl Access {
    /// Whether the account may see the canvas's content at all.
    pub fn may_read(self) -> bool {
        self > Access::None
    }

    /// Whether the account may change the canvas's content.
    pub fn may_edit(self) -> bool {
        self == Access::Edit
    }
}

/// What an account may do with a canvas's content, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// Not even know that it exists.
    None,
    /// Read the content; a live connection gets state and presence, its updates are refused.
    Read,
    /// Read, and record PMM's answer to the escalation (not the canvas itself).
    ReadAndAnswerAsPmm,
    /// Read and edit the content.
    Edit,
}

/// A canvas someone may see, and how far their access goes: what `http::permitted` found for
/// a request, and what a use case on the canvas starts from.
#[derive(Debug, Clone)]
pub struct Permitted {
    pub id: crate::canvas::CanvasId,
    pub access: Access,
    pub facts: Canvas,
}

/// The access `account` has to `canvas`.
pub fn canvas_access(account: &Account, canvas: &Canvas) -> Access {
    let mut access = Access::None;
    for (team, role) in &account.memberships {
        if *team != canvas.team {
            continue;
        }
        let own_case = account.id.is_some() && account.id == canvas.brought_in_by;
        let team_access = match role {
            TeamRole::Aanjager | TeamRole::Projectleider | TeamRole::Teamlid => Access::Edit,
            TeamRole::Inbrenger if own_case => Access::Edit,
            TeamRole::Inbrenger => Access::None,
        };
        access = access.max(team_access);
    }
    if account.coaches(canvas.province) {
        let coach_access = if canvas.level >= EscalationLevel::Coach {
            Access::Edit
        } else if canvas.highest_level >= EscalationLevel::Coach {
            Access::Read
        } else {
            Access::None
        };
        access = access.max(coach_access);
    }
    if account.pmm {
        let pmm_access = if canvas.level == EscalationLevel::Pmm {
            Access::ReadAndAnswerAsPmm
        } else if canvas.highest_level == EscalationLevel::Pmm {
            Access::Read
        } else {
            Access::None
        };
        access = access.max(pmm_access);
    }
    // A guest reads (and comments on) the canvases of the overleg it is invited to while the
    // window is open, and edits them only if the chair said so.
    if let Some((_, may_edit)) = account.guest.canvases.iter().find(|(c, _)| *c == canvas.id) {
        access = access.max(if *may_edit {
            Access::Edit
        } else {
            Access::Read
        });
    }
    // Archived, it is learning material for as far as the aanjager chose.
    if canvas.archived {
        let learner = match canvas.archive_scope {
            Some(ArchiveScope::Province) => {
                account.member_provinces.contains(&canvas.province)
                    || account.coaches(canvas.province)
            }
            Some(ArchiveScope::Country) => {
                !account.memberships.is_empty() || account.coach_of.is_some() || account.pmm
            }
            Some(ArchiveScope::Team) | None => false,
        };
        if learner {
            access = access.max(Access::Read);
        }
    }
    // A beheerder administers; being one adds no access to casework.
    if canvas.archived {
        // An archived canvas is read, never changed (nor answered), by whoever may read it.
        access = access.min(Access::Read);
    }
    access
}

/// The role under which `account` appears on `canvas` (in presence): their team role when they
/// are in the canvas's team, otherwise doorbraakcoach or PMM. `None` for someone without access.
pub fn role_on_canvas(account: &Account, canvas: &Canvas) -> Option<&'static str> {
    if reads_as_learner(account, canvas) {
        return Some("Lezer uit het leerarchief");
    }
    match account.role_in(canvas.team) {
        Some(role) if canvas_access(account, canvas).may_read() => Some(role.dutch()),
        _ if account.coaches(canvas.province) && canvas_access(account, canvas).may_read() => {
            Some("Doorbraakcoach")
        }
        _ if account.pmm && canvas_access(account, canvas).may_read() => Some("PMM"),
        _ if canvas_access(account, canvas).may_read() => Some("Gast"),
        _ => None,
    }
}

/// The access `account` has to `canvas` leaving an archive's scope aside: what reaches the
/// canvas's history (versions, frozen copies of escalations, differences) and its ledger. The
/// archive's anonymity check covers what the archive keeps as its final content, not every
/// earlier state, so whoever reads only through the scope reads only that.
pub fn history_access(account: &Account, canvas: &Canvas) -> Access {
    let without_scope = Canvas {
        archive_scope: None,
        ..canvas.clone()
    };
    canvas_access(account, &without_scope)
}

/// Whether `account` reads `canvas` only because an archive's scope reaches it.
pub fn reads_as_learner(account: &Account, canvas: &Canvas) -> bool {
    canvas_access(account, canvas).may_read() && !history_access(account, canvas).may_read()
}

/// Whether `account` works at `level` of the ladder for `canvas`: the team's directie (aanjager,
/// projectleider), the province's doorbraakcoach, or the PMM desk. The team level itself is
/// nobody's to handle: it is where a case starts.
pub fn works_at(account: &Account, canvas: &Canvas, level: EscalationLevel) -> bool {
    match level {
        EscalationLevel::Team => false,
        EscalationLevel::Directie => account.leads(canvas.team),
        EscalationLevel::Coach => account.coaches(canvas.province),
        EscalationLevel::Pmm => account.pmm,
    }
}

/// Whether `account` hears (by notification) that `canvas` reached `level` or was answered
/// there. In the team: at the team level everyone in it who may read the canvas (so never
/// another case's inbrenger), at the directie level its aanjagers and projectleiders. Above
/// the team: whoever works at that level, whom reaching it gives access (`canvas` may hold the
/// facts from before the move).
pub fn hears_of(account: &Account, canvas: &Canvas, level: EscalationLevel) -> bool {
    match level {
        EscalationLevel::Team => {
            account.is_member(canvas.team) && canvas_access(account, canvas).may_read()
        }
        EscalationLevel::Directie => {
            works_at(account, canvas, level) && canvas_access(account, canvas).may_read()
        }
        EscalationLevel::Coach | EscalationLevel::Pmm => works_at(account, canvas, level),
    }
}

/// Whether `account` may book on the canvas's doorbraakbudget (with `access` to the canvas):
/// its team's aanjager or projectleider, while they may edit it.
pub fn may_book(account: &Account, canvas: &Canvas, access: Access) -> bool {
    access.may_edit() && account.leads(canvas.team)
}

/// Whether `account` may give `canvas` a new label: someone of its own team who may edit it. A
/// coach or PMM works on an escalated canvas but does not rename the team's case.
pub fn may_rename(account: &Account, canvas: &Canvas) -> bool {
    canvas_access(account, canvas).may_edit() && account.is_member(canvas.team)
}

/// Whether `account` may start a canvas in `team`: the aanjager and projectleider who run the
/// team, and the inbrenger who brings a case in.
pub fn may_create_canvas(account: &Account, team: TeamId) -> bool {
    account.holds(
        team,
        &[
            TeamRole::Aanjager,
            TeamRole::Projectleider,
            TeamRole::Inbrenger,
        ],
    )
}

/// Whether `account` may manage `team`: invite and remove members, change roles and read the
/// team's audit log. That is the team's aanjager, and a beheerder (who sets teams up).
pub fn may_manage_team(account: &Account, team: TeamId) -> bool {
    account.beheerder || account.is_aanjager(team)
}

/// Whether `account` may change the role of `member` in `team`: who manages the team, and never
/// their own role, by any route (a beheerder in the team cannot make themselves aanjager).
pub fn may_change_role(account: &Account, team: TeamId, member: AccountId) -> bool {
    may_manage_team(account, team) && account.id != Some(member)
}

/// What a one-time link hands out, as the policy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// A role in a team.
    Team(TeamId),
    /// Doorbraakcoach or PMM.
    National,
    /// A new password.
    Reset,
}

/// Whether `account` may hand out `grant`: asked when the link is made, and again when it is
/// used, so that a link made by someone who has since lost the right is void.
pub fn may_grant(account: &Account, grant: Grant) -> bool {
    match grant {
        Grant::Team(team) => may_manage_team(account, team),
        Grant::National | Grant::Reset => account.beheerder,
    }
}

#[cfg(test)]
mod tests {
    use super::{Access::*, EscalationLevel::*, *};

    #[test]
    fn the_digest_follows_the_facts_not_their_order() {
        let account = Account {
            id: Some(ME),
            memberships: vec![
                (OWN_TEAM, TeamRole::Teamlid),
                (OTHER_TEAM, TeamRole::Aanjager),
            ],
            member_provinces: vec![PROVINCE, OTHER_PROVINCE],
            ..Account::default()
        };
        let mut reordered = account.clone();
        reordered.memberships.reverse();
        reordered.member_provinces.reverse();
        assert_eq!(account.digest(), reordered.digest());
        let mut demoted = account.clone();
        demoted.memberships[1].1 = TeamRole::Teamlid;
        assert_ne!(account.digest(), demoted.digest());
        let mut coach = account.clone();
        coach.coach_of = Some(PROVINCE);
        assert_ne!(account.digest(), coach.digest());
    }

    const OWN_TEAM: TeamId = TeamId(1);
    const OTHER_TEAM: TeamId = TeamId(2);
    const PROVINCE: ProvinceId = ProvinceId(10);
    const OTHER_PROVINCE: ProvinceId = ProvinceId(11);
    const ME: AccountId = AccountId(100);
    const SOMEONE_ELSE: AccountId = AccountId(101);
    const CANVAS: &str = "00000000-0000-4000-8000-000000000001";
    const OTHER_CANVAS: &str = "00000000-0000-4000-8000-000000000002";

    fn member(role: TeamRole, team: TeamId) -> Account {
        Account {
            id: Some(ME),
            memberships: vec![(team, role)],
            ..Account::default()
        }
    }

    fn coach(province: ProvinceId) -> Account {
        Account {
            id: Some(ME),
            coach_of: Some(province),
            ..Account::default()
        }
    }

    fn pmm() -> Account {
        Account {
            id: Some(ME),
            pmm: true,
            ..Account::default()
        }
    }

    fn beheerder() -> Account {
        Account {
            id: Some(ME),
            beheerder: true,
            ..Account::default()
        }
    }

    /// A canvas of OWN_TEAM in PROVINCE, brought in by `by`, now at `level`, once at `highest`.
    fn canvas(by: AccountId, level: EscalationLevel, highest: EscalationLevel) -> Canvas {
        Canvas {
            id: CANVAS.parse().expect("a canvas id"),
            team: OWN_TEAM,
            brought_in_by: Some(by),
            province: PROVINCE,
            level,
            highest_level: highest,
            archived: false,
            archive_scope: Option::None,
        }
    }

    /// A member of `team`, which lies in `province`.
    fn member_in(role: TeamRole, team: TeamId, province: ProvinceId) -> Account {
        Account {
            member_provinces: vec![province],
            ..member(role, team)
        }
    }

    #[test]
    fn an_archived_canvas_is_read_as_far_as_its_scope_reaches_and_edited_by_nobody() {
        use ArchiveScope::*;
        use TeamRole::*;
        // (who, account, team scope, province scope, country scope)
        let rows: Vec<(&str, Account, [Access; 3])> = vec![
            (
                "own teamlid",
                member_in(Teamlid, OWN_TEAM, PROVINCE),
                [Access::Read; 3],
            ),
            (
                "teamlid elsewhere in the province",
                member_in(Teamlid, OTHER_TEAM, PROVINCE),
                [Access::None, Access::Read, Access::Read],
            ),
            (
                "inbrenger elsewhere in the province",
                member_in(Inbrenger, OTHER_TEAM, PROVINCE),
                [Access::None, Access::Read, Access::Read],
            ),
            (
                "teamlid in another province",
                member_in(Teamlid, TeamId(3), OTHER_PROVINCE),
                [Access::None, Access::None, Access::Read],
            ),
            (
                "the province's coach",
                coach(PROVINCE),
                [Access::None, Access::Read, Access::Read],
            ),
            (
                "another province's coach",
                coach(OTHER_PROVINCE),
                [Access::None, Access::None, Access::Read],
            ),
            ("pmm", pmm(), [Access::None, Access::None, Access::Read]),
            ("beheerder", beheerder(), [Access::None; 3]),
            ("stranger", Account::default(), [Access::None; 3]),
        ];
        for (who, account, expected) in rows {
            for (scope, want) in [Team, Province, Country].into_iter().zip(expected) {
                let canvas = Canvas {
                    archived: true,
                    archive_scope: Some(scope),
                    ..canvas(SOMEONE_ELSE, EscalationLevel::Team, EscalationLevel::Team)
                };
                assert_eq!(canvas_access(&account, &canvas), want, "{who}, {scope:?}");
            }
        }
        // The scope reaches the final content only: not the history, which the archive's
        // anonymity check does not cover.
        let shared = Canvas {
            archived: true,
            archive_scope: Some(Country),
            ..canvas(SOMEONE_ELSE, EscalationLevel::Team, EscalationLevel::Team)
        };
        assert!(reads_as_learner(&pmm(), &shared));
        assert_eq!(history_access(&pmm(), &shared), Access::None);
        let own = member_in(Teamlid, OWN_TEAM, PROVINCE);
        assert!(!reads_as_learner(&own, &shared));
        assert_eq!(history_access(&own, &shared), Access::Read);
        assert_eq!(
            role_on_canvas(&pmm(), &shared),
            Some("Lezer uit het leerarchief")
        );
        // Not archived, a scope reaches nobody (it is only ever set when archiving).
        let live = Canvas {
            archive_scope: Some(Country),
            ..canvas(SOMEONE_ELSE, EscalationLevel::Team, EscalationLevel::Team)
        };
        assert_eq!(canvas_access(&pmm(), &live), Access::None);
    }

    #[test]
    fn nobody_changes_their_own_role_and_grants_need_the_right() {
        let aanjager = member(TeamRole::Aanjager, OWN_TEAM);
        assert!(may_change_role(&aanjager, OWN_TEAM, AccountId(99)));
        assert!(!may_change_role(&aanjager, OWN_TEAM, ME), "not their own");
        let beheerder_in_team = Account {
            beheerder: true,
            ..member(TeamRole::Teamlid, OWN_TEAM)
        };
        assert!(!may_change_role(&beheerder_in_team, OWN_TEAM, ME));
        assert!(may_grant(&aanjager, Grant::Team(OWN_TEAM)));
        assert!(!may_grant(&aanjager, Grant::Team(OTHER_TEAM)));
        assert!(!may_grant(&aanjager, Grant::National));
        assert!(!may_grant(
            &member(TeamRole::Teamlid, OWN_TEAM),
            Grant::Team(OWN_TEAM)
        ));
        assert!(may_grant(&beheerder(), Grant::Reset));
    }

    #[test]
    fn only_the_canvas_team_renames_it() {
        let at_coach = canvas(ME, Coach, Coach);
        assert!(may_rename(&member(TeamRole::Teamlid, OWN_TEAM), &at_coach));
        assert_eq!(canvas_access(&coach(PROVINCE), &at_coach), Edit);
        assert!(
            !may_rename(&coach(PROVINCE), &at_coach),
            "the coach edits, not renames"
        );
        assert!(!may_rename(
            &member(TeamRole::Teamlid, OTHER_TEAM),
            &at_coach
        ));
        let archived = Canvas {
            archived: true,
            archive_scope: Option::None,
            ..canvas(ME, Team, Team)
        };
        assert!(!may_rename(
            &member(TeamRole::Aanjager, OWN_TEAM),
            &archived
        ));
    }

    #[test]
    fn an_archived_canvas_is_read_only_for_everyone_who_may_read_it() {
        let mut archived = canvas(AccountId(1), EscalationLevel::Pmm, EscalationLevel::Pmm);
        archived.archived = true;
        for account in [member(TeamRole::Aanjager, OWN_TEAM), coach(PROVINCE), pmm()] {
            assert_eq!(canvas_access(&account, &archived), Access::Read);
        }
        let stranger = member(TeamRole::Aanjager, OTHER_TEAM);
        assert_eq!(canvas_access(&stranger, &archived), Access::None);
    }

    #[test]
    fn team_roles_edit_their_own_teams_canvases_and_nothing_else() {
        for role in [
            TeamRole::Aanjager,
            TeamRole::Projectleider,
            TeamRole::Teamlid,
        ] {
            for (level, highest) in [
                (Team, Team),
                (Directie, Directie),
                (Coach, Coach),
                (Pmm, Pmm),
                (Team, Pmm),
            ] {
                let c = canvas(SOMEONE_ELSE, level, highest);
                assert_eq!(
                    canvas_access(&member(role, OWN_TEAM), &c),
                    Edit,
                    "{role:?} own team at {level:?}"
                );
                assert_eq!(
                    canvas_access(&member(role, OTHER_TEAM), &c),
                    None,
                    "{role:?} other team at {level:?}"
                );
            }
        }
    }

    #[test]
    fn an_inbrenger_edits_only_the_cases_they_brought_in() {
        let inbrenger = member(TeamRole::Inbrenger, OWN_TEAM);
        assert_eq!(canvas_access(&inbrenger, &canvas(ME, Team, Team)), Edit);
        assert_eq!(canvas_access(&inbrenger, &canvas(ME, Coach, Coach)), Edit);
        assert_eq!(
            canvas_access(&inbrenger, &canvas(SOMEONE_ELSE, Team, Team)),
            None
        );
        let elsewhere = member(TeamRole::Inbrenger, OTHER_TEAM);
        assert_eq!(
            canvas_access(&elsewhere, &canvas(ME, Team, Team)),
            None,
            "brought in, but not a member"
        );
        let anonymous = Account {
            id: Option::None,
            memberships: vec![(OWN_TEAM, TeamRole::Inbrenger)],
            ..Account::default()
        };
        let unknown = Canvas {
            brought_in_by: Option::None,
            ..canvas(ME, Team, Team)
        };
        assert_eq!(
            canvas_access(&anonymous, &unknown),
            None,
            "no id never matches no inbrenger"
        );
    }

    #[test]
    fn a_coach_edits_while_escalated_to_their_province_and_reads_afterwards() {
        let cells = [
            // (level, highest level reached, access of a coach of the province)
            (Team, Team, None),
            (Directie, Directie, None),
            (Coach, Coach, Edit),
            (Pmm, Pmm, Edit),
            (Directie, Coach, Read),
            (Team, Coach, Read),
            (Team, Pmm, Read),
        ];
        for (level, highest, expected) in cells {
            let c = canvas(SOMEONE_ELSE, level, highest);
            assert_eq!(
                canvas_access(&coach(PROVINCE), &c),
                expected,
                "at {level:?}, once {highest:?}"
            );
            assert_eq!(
                canvas_access(&coach(OTHER_PROVINCE), &c),
                None,
                "other province at {level:?}"
            );
        }
    }

    #[test]
    fn pmm_reads_what_reached_pmm_and_answers_while_it_is_there() {
        let cells = [
            (Team, Team, None),
            (Directie, Directie, None),
            (Coach, Coach, None),
            (Pmm, Pmm, ReadAndAnswerAsPmm),
            (Coach, Pmm, Read),
            (Team, Pmm, Read),
        ];
        for (level, highest, expected) in cells {
            assert_eq!(
                canvas_access(&pmm(), &canvas(SOMEONE_ELSE, level, highest)),
                expected,
                "at {level:?}, once {highest:?}"
            );
        }
    }

    #[test]
    fn a_beheerder_sees_no_casework() {
        for (level, highest) in [(Team, Team), (Coach, Coach), (Pmm, Pmm)] {
            assert_eq!(
                canvas_access(&beheerder(), &canvas(SOMEONE_ELSE, level, highest)),
                None
            );
        }
    }

    #[test]
    fn several_roles_give_the_most_generous_access() {
        let both = Account {
            id: Some(ME),
            memberships: vec![
                (OTHER_TEAM, TeamRole::Teamlid),
                (OWN_TEAM, TeamRole::Inbrenger),
            ],
            coach_of: Some(PROVINCE),
            pmm: false,
            beheerder: true,
            guest: Guest::default(),
            member_provinces: vec![PROVINCE],
        };
        assert_eq!(
            canvas_access(&both, &canvas(SOMEONE_ELSE, Team, Coach)),
            Read,
            "as coach, afterwards"
        );
        assert_eq!(
            canvas_access(&both, &canvas(SOMEONE_ELSE, Coach, Coach)),
            Edit,
            "as coach, now"
        );
        assert_eq!(
            canvas_access(&both, &canvas(ME, Team, Team)),
            Edit,
            "as inbrenger"
        );
    }

    #[test]
    fn codes_round_trip() {
        for role in TeamRole::ALL {
            assert_eq!(TeamRole::from_code(role.code()), Some(role));
        }
        for level in EscalationLevel::ALL {
            assert_eq!(EscalationLevel::from_code(level.code()), Some(level));
        }
        assert_eq!(TeamRole::from_code("beheerder"), Option::None);
        assert_eq!(EscalationLevel::from_code(""), Option::None);
    }

    #[test]
    fn who_may_start_a_canvas() {
        assert!(may_create_canvas(
            &member(TeamRole::Aanjager, OWN_TEAM),
            OWN_TEAM
        ));
        assert!(may_create_canvas(
            &member(TeamRole::Projectleider, OWN_TEAM),
            OWN_TEAM
        ));
        assert!(may_create_canvas(
            &member(TeamRole::Inbrenger, OWN_TEAM),
            OWN_TEAM
        ));
        assert!(!may_create_canvas(
            &member(TeamRole::Teamlid, OWN_TEAM),
            OWN_TEAM
        ));
        assert!(!may_create_canvas(
            &member(TeamRole::Aanjager, OTHER_TEAM),
            OWN_TEAM
        ));
        assert!(!may_create_canvas(&coach(PROVINCE), OWN_TEAM));
        assert!(!may_create_canvas(&pmm(), OWN_TEAM));
        assert!(!may_create_canvas(&beheerder(), OWN_TEAM));
    }

    #[test]
    fn who_may_manage_a_team() {
        assert!(may_manage_team(
            &member(TeamRole::Aanjager, OWN_TEAM),
            OWN_TEAM
        ));
        assert!(may_manage_team(&beheerder(), OWN_TEAM));
        for role in [
            TeamRole::Projectleider,
            TeamRole::Teamlid,
            TeamRole::Inbrenger,
        ] {
            assert!(!may_manage_team(&member(role, OWN_TEAM), OWN_TEAM));
        }
        assert!(!may_manage_team(
            &member(TeamRole::Aanjager, OTHER_TEAM),
            OWN_TEAM
        ));
        assert!(!may_manage_team(&coach(PROVINCE), OWN_TEAM));
        assert!(!may_manage_team(&pmm(), OWN_TEAM));
    }

    /// Who hears of a move to each level: (who, team, directie, coach, pmm).
    #[test]
    fn who_hears_of_each_level() {
        let at_team = canvas(SOMEONE_ELSE, Team, Team);
        let rows = [
            (
                "aanjager",
                member(TeamRole::Aanjager, OWN_TEAM),
                [true, true, false, false],
            ),
            (
                "projectleider",
                member(TeamRole::Projectleider, OWN_TEAM),
                [true, true, false, false],
            ),
            (
                "teamlid",
                member(TeamRole::Teamlid, OWN_TEAM),
                [true, false, false, false],
            ),
            (
                "other inbrenger",
                member(TeamRole::Inbrenger, OWN_TEAM),
                [false; 4],
            ),
            (
                "other team",
                member(TeamRole::Aanjager, OTHER_TEAM),
                [false; 4],
            ),
            ("coach", coach(PROVINCE), [false, false, true, false]),
            ("other coach", coach(OTHER_PROVINCE), [false; 4]),
            ("pmm", pmm(), [false, false, false, true]),
            ("beheerder", beheerder(), [false; 4]),
        ];
        for (who, account, expected) in rows {
            let heard =
                [Team, Directie, Coach, Pmm].map(|level| hears_of(&account, &at_team, level));
            assert_eq!(heard, expected, "{who}");
        }
    }

    fn guest(canvas: &str, may_edit: bool) -> Account {
        Account {
            id: Some(ME),
            guest: Guest {
                meetings: vec![MeetingId(1)],
                canvases: vec![(canvas.parse().expect("a canvas id"), may_edit)],
            },
            ..Account::default()
        }
    }

    #[test]
    fn a_guest_reads_the_agenda_canvases_of_its_open_window_and_edits_only_when_allowed() {
        let on_agenda = canvas(SOMEONE_ELSE, Team, Team);
        assert_eq!(canvas_access(&guest(CANVAS, false), &on_agenda), Read);
        assert_eq!(canvas_access(&guest(CANVAS, true), &on_agenda), Edit);
        assert_eq!(
            role_on_canvas(&guest(CANVAS, false), &on_agenda),
            Some("Gast")
        );
        // Another canvas of the same team is not on that agenda.
        assert_eq!(canvas_access(&guest(OTHER_CANVAS, true), &on_agenda), None);
        // Invited, but the window is not open (no canvases granted now): nothing.
        let invited_only = Account {
            guest: Guest {
                meetings: vec![MeetingId(1)],
                canvases: Vec::new(),
            },
            ..Account::default()
        };
        assert_eq!(canvas_access(&invited_only, &on_agenda), None);
        // An archived canvas stays read-only, even for a guest who may edit.
        let archived = Canvas {
            archived: true,
            archive_scope: Option::None,
            ..canvas(SOMEONE_ELSE, Team, Team)
        };
        assert_eq!(canvas_access(&guest(CANVAS, true), &archived), Read);
        // A guest grant adds to a role; it never lowers it.
        let member_and_guest = Account {
            memberships: vec![(OWN_TEAM, TeamRole::Teamlid)],
            ..guest(CANVAS, false)
        };
        assert_eq!(canvas_access(&member_and_guest, &on_agenda), Edit);
        // A guest is no member: it plans nothing and sees no budget.
        assert!(!guest(CANVAS, true).is_member(OWN_TEAM));
        assert!(!may_book(&guest(CANVAS, true), &on_agenda, Edit));
        assert!(!may_rename(&guest(CANVAS, true), &on_agenda));
    }
}
