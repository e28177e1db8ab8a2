//! The canvas's comments and open actiepunten, in the workflow panel (so that they refresh with
//! it): threads per step or field, each with its answers, resolvable; a form for a new one whose
//! text anchor the page fills in from the selection (Yjs relative positions, see comments.js).

use maud::{Markup, html};

use super::components::{csrf_input, dutch_time};
use crate::{
    ids::CommentId,
    services::comments::{FIELDS, field_name},
    store::{comments::CommentRow, meeting_records::ActionRow},
};

pub struct CommentsBlock<'a> {
    pub csrf: &'a str,
    pub comments: &'a [CommentRow],
    /// Read and not archived.
    pub may_comment: bool,
    /// Open actiepunten on the canvas, with whether the viewer may mark each done.
    pub actions: &'a [(ActionRow, bool)],
}

pub fn block(b: &CommentsBlock, base: &str) -> Markup {
    let threads: Vec<CommentId> = {
        let mut ids: Vec<CommentId> = b.comments.iter().map(|c| c.thread).collect();
        ids.dedup();
        ids
    };
    let open = b
        .comments
        .iter()
        .filter(|c| c.id == c.thread && c.resolved_at.is_none())
        .count();
    html! {
        @if !b.actions.is_empty() {
            div.workflow-part #actiepunten {
                h3 { "Open actiepunten" }
                ul.actions {
                    @for (a, may_finish) in b.actions {
                        li data-action=(a.id) {
                            (a.what) " · " (a.owner_name) " · klaar op " (a.due_on)
                            " · " a href={ "/overleggen/" (a.meeting) } { "overleg" }
                            @if *may_finish {
                                " "
                                form.inline method="post" action={ "/actiepunten/" (a.id) "/klaar" } {
                                    (csrf_input(b.csrf))
                                    input type="hidden" name="terug" value={ (base) "#actiepunten" };
                                    button.secondary.small type="submit" aria-label={ "Klaar: " (a.what) } { "Klaar" }
                                }
                            }
                        }
                    }
                }
            }
        }
        div.workflow-part #opmerkingen {
            h3 { "Opmerkingen" @if open > 0 { " (" (open) " open)" } }
            @if threads.is_empty() { p.empty { "Er zijn nog geen opmerkingen." } }
            @for thread in &threads {
                @let posts: Vec<&CommentRow> = b.comments.iter().filter(|c| c.thread == *thread).collect();
                @if let Some(first) = posts.first() {
                    article.comment-thread data-thread=(thread) data-field=(first.field) data-anchor=[(!first.anchor.is_empty()).then_some(&first.anchor)]
                        data-resolved=[first.resolved_at.is_some().then_some("true")] aria-label={ "Opmerking bij " (field_name(&first.field)) } {
                        p.comment-where { (field_name(&first.field)) span.comment-quote {} }
                        @for post in &posts {
                            div.comment {
                                p.comment-meta { strong { (post.author_name) } " · " (dutch_time(post.created_at)) }
                                @for line in post.body.lines() { p.comment-body lang="nl" { (line) } }
                            }
                        }
                        @if let (Some(at), Some(by)) = (first.resolved_at, &first.resolved_by_name) {
                            p.hint { "Afgehandeld door " (by) " (" (dutch_time(at)) ")." }
                        }
                        @if b.may_comment {
                            @if first.resolved_at.is_none() {
                                form.row method="post" action={ (base) "/opmerkingen" } {
                                    (csrf_input(b.csrf))
                                    input type="hidden" name="thread" value=(thread);
                                    input type="hidden" name="field" value=(first.field);
                                    label for={ "reply-" (thread) } { "Antwoord" }
                                    input id={ "reply-" (thread) } name="body" type="text" required maxlength="4000";
                                    button.secondary.small type="submit" { "Antwoorden" }
                                }
                            }
                            form.inline method="post" action={ (base) "/opmerkingen/" (thread) (if first.resolved_at.is_none() { "/afhandelen" } else { "/heropenen" }) } {
                                (csrf_input(b.csrf))
                                button.secondary.small type="submit" { @if first.resolved_at.is_none() { "Afhandelen" } @else { "Heropenen" } }
                            }
                        }
                    }
                }
            }
            @if b.may_comment {
                form.stacked #comment-form method="post" action={ (base) "/opmerkingen" } {
                    (csrf_input(b.csrf))
                    input #comment-anchor type="hidden" name="anchor" value="";
                    label for="comment-field" { "Over" }
                    select #comment-field name="field" {
                        @for (field, name) in FIELDS { option value=(field) { (name) } }
                    }
                    p.hint #comment-selection aria-live="polite" { "Selecteer eerst tekst in een veld om de opmerking daaraan te koppelen." }
                    label for="comment-body" { "Opmerking" }
                    textarea #comment-body name="body" rows="3" required maxlength="4000" aria-describedby="comment-hint" data-anonymity {}
                    p.hint #comment-hint { "Noem iemand met @ en de volledige naam, zoals @Anna de Vries; wie het canvas mag lezen, krijgt dan een melding." }
                    button type="submit" { "Opmerking plaatsen" }
                }
            } @else if !b.comments.is_empty() {
                p.hint { "Dit canvas is gearchiveerd; de opmerkingen zijn alleen nog te lezen." }
            }
        }
    }
}
