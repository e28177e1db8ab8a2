//! The leerarchief page: the search form with its filters, the hits with highlighted snippets,
//! paging, and the own team's live canvases when asked for.

use maud::{Markup, html};
use serde::Deserialize;

use super::{
    components::{error_message, topbar},
    layout,
};
use crate::{
    access::policy::EscalationLevel,
    canvas::regulations,
    canvas::schema::{LIFE_AREAS, POLICY_DOMAINS},
    format,
    search::Piece,
    services::archive_search::{Hit, Results},
    store::{GemeenteRow, TeamRow},
    views::SignedIn,
    workflow::{ladder::level_dutch, learning::OUTCOMES},
};

/// The search form's fields, as the query string carries them (`http::learning_archive` reads
/// them); every field optional, empty means "any".
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Params {
    pub q: Option<String>,
    pub leefgebied: Option<String>,
    pub domein: Option<String>,
    pub regeling: Option<String>,
    pub leerorde: Option<String>,
    pub uitkomst: Option<String>,
    pub van: Option<String>,
    pub tot: Option<String>,
    pub gemeente: Option<String>,
    pub team: Option<String>,
    pub budget: Option<String>,
    pub niveau: Option<String>,
    pub sorteer: Option<String>,
    pub pagina: Option<String>,
    pub eigen: Option<String>,
}

/// What the filters offer besides the fixed lists.
pub struct Choices {
    pub gemeenten: Vec<GemeenteRow>,
    pub teams: Vec<TeamRow>,
    /// Whether the viewer may add the own team's live canvases.
    pub live: bool,
}

fn value(field: &Option<String>) -> &str {
    field.as_deref().unwrap_or_default()
}

/// A `select` of `options` (code, name) with "any" first.
fn select(name: &str, label: &str, current: &str, options: &[(String, String)]) -> Markup {
    html! {
        label {
            (label)
            select name=(name) {
                option value="" { "Alle" }
                @for (code, text) in options {
                    option value=(code) selected[current == code] { (text) }
                }
            }
        }
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(c, n)| ((*c).to_owned(), (*n).to_owned()))
        .collect()
}

fn snippet(pieces: &[Piece]) -> Markup {
    html! {
        @for piece in pieces {
            @if piece.hit { mark { (piece.text) } } @else { (piece.text) }
        }
    }
}

fn hit(h: &Hit) -> Markup {
    html! {
        li.archive-hit {
            h3 { a href={ "/canvases/" (h.id.as_str()) } { (h.label) } }
            p.meta {
                (h.team)
                @if !h.gemeente.is_empty() { " · " (h.gemeente) }
                @if let Some(at) = h.archived_at { " · gearchiveerd op " (format::dutch_long_date(at)) }
            }
            p.snippet { (snippet(&h.snippet)) }
        }
    }
}

/// The query string of `params` with `pagina` set to `page`.
fn page_link(params: &Params, page: usize) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (name, field) in [
        ("q", &params.q),
        ("leefgebied", &params.leefgebied),
        ("domein", &params.domein),
        ("regeling", &params.regeling),
        ("leerorde", &params.leerorde),
        ("uitkomst", &params.uitkomst),
        ("van", &params.van),
        ("tot", &params.tot),
        ("gemeente", &params.gemeente),
        ("team", &params.team),
        ("budget", &params.budget),
        ("niveau", &params.niveau),
        ("sorteer", &params.sorteer),
        ("eigen", &params.eigen),
    ] {
        if let Some(v) = field.as_deref().filter(|v| !v.is_empty()) {
            q.append_pair(name, v);
        }
    }
    q.append_pair("pagina", &page.to_string());
    format!("/leerarchief?{}", q.finish())
}

pub fn page(
    viewer: &SignedIn,
    params: &Params,
    choices: &Choices,
    results: Option<&Results>,
    error: Option<&str>,
    nonce: &str,
) -> Markup {
    let regulations: Vec<(String, String)> = regulations::catalogue()
        .iter()
        .map(|r| (r.id.clone(), format!("{} {}", r.law, r.article)))
        .collect();
    let gemeenten: Vec<(String, String)> = choices
        .gemeenten
        .iter()
        .map(|g| (g.id.0.to_string(), format!("{} ({})", g.name, g.province)))
        .collect();
    let teams: Vec<(String, String)> = choices
        .teams
        .iter()
        .map(|t| (t.id.0.to_string(), format!("{} ({})", t.name, t.gemeente)))
        .collect();
    let outcomes: Vec<(String, String)> = OUTCOMES
        .iter()
        .map(|(code, s)| ((*code).to_owned(), s.dutch().to_owned()))
        .collect();
    let levels: Vec<(String, String)> = EscalationLevel::ALL
        .iter()
        .map(|l| (l.code().to_owned(), level_dutch(*l).to_owned()))
        .collect();
    let orders: Vec<(String, String)> = (1..=3)
        .map(|o| (o.to_string(), format!("{o}e orde")))
        .collect();
    let budget = pairs(&[("ja", "Gebruikt"), ("nee", "Niet gebruikt")]);
    layout(
        "Leerarchief",
        nonce,
        html! {
            (topbar(Some(viewer), false))
            main #leerarchief {
                h1 { "Leerarchief" }
                p { "Gearchiveerde canvassen die je mag lezen, als lesmateriaal: geanonimiseerd, met hun leeropbrengst. Zoek in gewone taal: \"kinderen\" vindt ook \"kind\"." }
                form.archive-search method="get" action="/leerarchief" role="search" {
                    label.query {
                        "Zoeken"
                        input type="search" name="q" value=(value(&params.q)) maxlength="200";
                    }
                    fieldset.filters {
                        legend { "Filters" }
                        (select("leefgebied", "Leefgebied", value(&params.leefgebied), &pairs(&LIFE_AREAS)))
                        (select("domein", "Domein", value(&params.domein), &pairs(&POLICY_DOMAINS)))
                        (select("regeling", "Regeling", value(&params.regeling), &regulations))
                        (select("leerorde", "Leerorde", value(&params.leerorde), &orders))
                        (select("uitkomst", "Uitkomst", value(&params.uitkomst), &outcomes))
                        label { "Gearchiveerd vanaf" input type="date" name="van" value=(value(&params.van)); }
                        label { "tot en met" input type="date" name="tot" value=(value(&params.tot)); }
                        (select("gemeente", "Gemeente", value(&params.gemeente), &gemeenten))
                        (select("team", "Team", value(&params.team), &teams))
                        (select("budget", "Doorbraakbudget", value(&params.budget), &budget))
                        (select("niveau", "Hoogst bereikt niveau", value(&params.niveau), &levels))
                        label {
                            "Sorteren op"
                            select name="sorteer" {
                                option value="relevantie" { "Relevantie" }
                                option value="datum" selected[value(&params.sorteer) == "datum"] { "Datum (nieuwste eerst)" }
                            }
                        }
                        @if choices.live {
                            label.check {
                                input type="checkbox" name="eigen" value="1" checked[value(&params.eigen) == "1"];
                                " Ook de lopende canvassen van mijn team"
                            }
                        }
                    }
                    button type="submit" { "Zoeken" }
                }
                @if let Some(error) = error { (error_message(error)) }
                @if let Some(results) = results {
                    @if !results.live.is_empty() {
                        section.live-hits aria-labelledby="live-kop" {
                            h2 #live-kop { "Lopende canvassen van je team" }
                            ol.archive-hits { @for h in &results.live { (hit(h)) } }
                        }
                    }
                    section aria-labelledby="archief-kop" {
                        h2 #archief-kop { "Uit het archief" }
                        p role="status" #archive-total {
                            @match results.total {
                                0 => "Niets gevonden. Probeer andere woorden of minder filters.",
                                1 => "1 canvas gevonden.",
                                n => { (format::thousands(n as u64)) " canvassen gevonden." }
                            }
                            @if results.total > 0 {
                                " " a href={ (page_link(params, results.page).replacen("/leerarchief?", "/leerarchief.csv?", 1)) } { "Als CSV" }
                            }
                        }
                        ol.archive-hits { @for h in &results.hits { (hit(h)) } }
                        @if results.pages > 1 {
                            nav.paging aria-label="Pagina's" {
                                @if results.page > 1 { a rel="prev" href=(page_link(params, results.page - 1)) { "Vorige" } }
                                span { "Pagina " (results.page) " van " (results.pages) }
                                @if results.page < results.pages { a rel="next" href=(page_link(params, results.page + 1)) { "Volgende" } }
                            }
                        }
                    }
                }
            }
        },
    )
}
