//! The canvas page: the six steps of the Doorbraakmethode as a board, with the current content
//! rendered by the server so the page reads without JavaScript; the client turns every text
//! field into a live collaborative editor.

use maud::{Markup, html};

use super::{
    components::{csrf_field, topbar},
    layout, widgets,
};
use crate::{
    canvas::{
        CanvasId,
        schema::{self, CanvasContent, root},
        status::CanvasStatus,
    },
    views::SignedIn,
};

/// A text field of a step: the Y.Text root it edits, its label and its current text.
struct Field<'a> {
    root: &'static str,
    label: &'static str,
    text: &'a str,
}

/// One step of the board: its text fields, then its structured parts.
struct Step<'a> {
    number: u8,
    title: &'static str,
    fields: Vec<Field<'a>>,
    widgets: Markup,
}

/// What a canvas page shows.
pub struct CanvasView<'a> {
    pub id: &'a CanvasId,
    pub content: &'a CanvasContent,
    /// The editors are not editable and the page says why.
    pub read_only: bool,
    /// The client connects and edits live; a frozen copy is not live.
    pub live: bool,
    /// Shown above the board (the frozen copy's explanation).
    pub banner: Option<Markup>,
    /// The workflow panel.
    pub workflow: Option<Markup>,
    /// Whether the viewer may give the canvas another name (the form under the title).
    pub may_rename: bool,
    /// The lifecycle status, shown as a badge beside the title (a frozen copy has none).
    pub status: Option<CanvasStatus>,
    /// The running overleg this canvas is on the agenda of, and whether the viewer chairs it.
    pub meeting: Option<(crate::ids::MeetingId, bool)>,
    /// Whether the viewer reads the canvas's history (not a reader from the archive only).
    pub history: bool,
}

pub fn page(viewer: &SignedIn, view: &CanvasView, nonce: &str) -> Markup {
    let CanvasView {
        id,
        content,
        read_only,
        live,
        ..
    } = *view;
    let steps = &content.steps;
    let board = [
        Step {
            number: 1,
            title: "Situatieschets",
            fields: vec![Field {
                root: root::SITUATION,
                label: "Wat is de situatie van het huishouden?",
                text: &steps.situation,
            }],
            // After the situation's text, so that the keyboard reaches the first field before
            // fourteen switches.
            widgets: html! {
                (toggles("Leefgebieden", root::LIFE_AREAS, &schema::LIFE_AREAS, &content.life_areas))
                (toggles("Beleidsdomeinen", root::POLICY_DOMAINS, &schema::POLICY_DOMAINS, &content.policy_domains))
            },
        },
        Step {
            number: 2,
            title: "Toekomstperspectief",
            fields: vec![Field {
                root: root::FUTURE,
                label: "Waar wil het huishouden zelf naartoe? (hun eigen woorden)",
                text: &steps.future,
            }],
            widgets: html! {},
        },
        Step {
            number: 3,
            title: "Overzicht",
            fields: vec![Field {
                root: root::OVERVIEW,
                label: "Wat is er nodig om daar te komen, en wat is al geprobeerd?",
                text: &steps.overview.text,
            }],
            widgets: widgets::agencies(&steps.overview.agencies),
        },
        Step {
            number: 4,
            title: "Doorbraak",
            fields: vec![
                Field {
                    root: root::BREAKTHROUGH,
                    label: "Wat moet er doorbroken worden?",
                    text: &steps.breakthrough.text,
                },
                Field {
                    root: root::SYSTEM_PROBLEM,
                    label: "Vraag aan het team over het systeemprobleem",
                    text: &steps.breakthrough.system_problem,
                },
            ],
            widgets: html! {},
        },
        Step {
            number: 5,
            title: "Onderbouwing met de waardendriehoek",
            fields: vec![
                Field {
                    root: root::INVOLVEMENT,
                    label: "Betrokkenheid: versterkt de oplossing de regie van het huishouden?",
                    text: &steps.value_triangle.involvement,
                },
                Field {
                    root: root::LEGITIMACY,
                    label: "Legitimiteit: welke regels, welke ruimte (bijvoorbeeld een hardheidsclausule)?",
                    text: &steps.value_triangle.legitimacy.text,
                },
            ],
            widgets: html! {
                (widgets::regulations(&steps.value_triangle.legitimacy.regulations))
                (widgets::rendement(&steps.value_triangle.return_lines))
            },
        },
        Step {
            number: 6,
            title: "Actieplan",
            fields: vec![],
            widgets: widgets::actions(&steps.action_plan),
        },
    ];
    layout(
        &content.label,
        nonce,
        html! {
            (topbar(Some(viewer), live))
            main #canvas data-canvas-id=[live.then_some(id.as_str())] data-read-only=[read_only.then_some("true")]
                data-user-name=(viewer.account.display_name())
                data-account-id=[live.then_some(viewer.account.id)]
                data-meeting=[view.meeting.map(|(m, _)| m)] data-chair=[view.meeting.and_then(|(_, chair)| chair.then_some("true"))] {
                div.canvas-title {
                    h1 #canvas-label { (content.label) }
                    @if let Some(status) = view.status {
                        span.status-badge #status-badge data-status=(status.code()) {
                            span.visually-hidden { "Status: " } (status.dutch())
                        }
                    }
                    @if live {
                        button.secondary #present-toggle type="button" hidden
                            title="Eén stap tegelijk, groot, voor het scherm in de vergaderruimte" { "Presenteren" }
                        a.dossier-link href={ "/canvases/" (id.as_str()) "/dossier" } { "Afdrukken, PDF of Word" }
                        @if view.status == Some(CanvasStatus::Gearchiveerd) {
                            a.dossier-link href={ "/api/leerarchief/" (id.as_str()) } download={ "leerarchief-" (id.as_str()) ".json" } { "JSON" }
                        }
                        @if view.history {
                            a.dossier-link href={ "/canvases/" (id.as_str()) "/geschiedenis" } { "Geschiedenis" }
                        }
                    }
                }
                @if view.may_rename {
                    details.rename {
                        summary { "Naam wijzigen" }
                        form.row method="post" action={ "/canvases/" (id.as_str()) "/naam" } {
                            (csrf_field(viewer))
                            label for="rename-label" { "Nieuwe anonieme naam" }
                            input #rename-label name="label" type="text" required
                                maxlength=(crate::canvas::label::MAX_LABEL_CHARS) value=(content.label)
                                aria-describedby="rename-hint";
                            span.hint #rename-hint { "Geen namen, BSN, adressen of geboortedata." }
                            button type="submit" { "Opslaan" }
                        }
                    }
                }
                @if let Some(banner) = &view.banner { (banner) }
                @if read_only && live {
                    p.notice #read-only-notice role="status" {
                        "Je kunt dit canvas lezen, maar niet bewerken. Wijzigingen worden niet opgeslagen."
                    }
                }
                (step_bar(&board, view.workflow.is_some()))
                // "Naar de inhoud" of a live canvas lands here: the next Tab is step 1's text.
                @if live { span #inhoud tabindex="-1" {} }
                ol.board {
                    @for step in &board {
                        li.step id={ "stap-" (step.number) } data-step=(step.number) {
                            h2 { (step.number) ". " (step.title) }
                            @if step.number == 5 { (value_triangle()) }
                            @for field in &step.fields {
                                div.field id={ "veld-" (field.root) } {
                                    span.field-label id={ "label-" (field.root) } { (field.label) }
                                    div.editor data-ytext=(field.root) role="textbox" aria-readonly="true" aria-multiline="true"
                                        tabindex="0" aria-labelledby={ "label-" (field.root) } { (field.text) }
                                }
                            }
                            (step.widgets)
                        }
                    }
                }
                @if let Some(workflow) = &view.workflow { (workflow) }
            }
        },
    )
}

/// The bar that stays in view above the board: each step (and the workflow panel) with who is
/// working there now, a click or Alt+number away.
fn step_bar(board: &[Step], workflow: bool) -> Markup {
    html! {
        nav.step-bar #step-bar aria-label="Stappen van het canvas" {
            ol {
                @for step in board {
                    li {
                        a href={ "#stap-" (step.number) } data-step-link=(step.number)
                            aria-keyshortcuts={ "Alt+" (step.number) } {
                            span.step-number { (step.number) }
                            span.step-title { (step.title) }
                            span.step-presence data-step-presence=(step.number) {}
                        }
                    }
                }
                @if workflow {
                    li {
                        a href="#workflow" data-step-link="7" aria-keyshortcuts="Alt+7" {
                            span.step-title { "Werkwijze" }
                        }
                    }
                }
            }
        }
    }
}

/// The waardendriehoek drawn as a triangle whose corners lead to the three values. The shape is
/// decoration; the corners are ordinary links, so keyboard and screen reader users get the same.
fn value_triangle() -> Markup {
    html! {
        nav.value-triangle aria-label="Waardendriehoek" {
            svg viewBox="0 0 200 174" aria-hidden="true" focusable="false" {
                polygon points="100,6 194,168 6,168" {}
            }
            a.corner.top href={ "#veld-" (root::INVOLVEMENT) } { "Betrokkenheid" }
            a.corner.left href={ "#veld-" (root::LEGITIMACY) } { "Legitimiteit" }
            a.corner.right href="#rendement-title" { "Rendement" }
        }
    }
}

/// A group of checkboxes bound to a Y.Map of code to `true`.
fn toggles(legend: &str, map: &str, catalogue: &[(&str, &str)], on: &[&str]) -> Markup {
    html! {
        fieldset.toggles {
            legend { (legend) }
            @for (code, name) in catalogue {
                label {
                    input type="checkbox" data-ymap=(map) value=(code) checked[on.contains(code)];
                    " " (name)
                }
            }
        }
    }
}
