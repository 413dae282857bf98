//! The deterministic engine: rules over the lead's own fields. Every number it gives names the field it comes from,
//! and it says nothing the record does not hold. Always available; the fallback of every other engine.

use super::engine::{Engine, EngineError, Facts};
use async_trait::async_trait;
use vigil_api::copilot::{Ask, Bant, CopilotAnswer, CopilotAsk, Dimension, EmailDraft, NextAction, NextActionKind};
use vigil_domain::record::Stage;

pub const NAME: &str = "deterministic";

/// A BANT total from which an open lead counts as qualified.
pub const QUALIFIED_TOTAL: u8 = 60;
/// The seed's rule: disqualify after three failed contact attempts.
pub const FAILED_CONTACTS_LIMIT: u32 = 3;
/// A score (0–100) from which a lead counts as hot without a rating.
pub const HOT_SCORE: u8 = 70;
/// A rating (stars) from which a lead is hot, as the lead's own `hot` flag has it.
pub const HOT_RATING: u8 = 4;

pub struct Deterministic;

#[async_trait]
impl Engine for Deterministic {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn answer(&self, facts: &Facts, ask: &CopilotAsk) -> Result<CopilotAnswer, EngineError> {
        Ok(answer(facts, ask))
    }
}

/// The whole answer, synchronously (the engine and the fallback share it).
pub fn answer(facts: &Facts, ask: &CopilotAsk) -> CopilotAnswer {
    let bant = bant(facts);
    let next_action = next_action(facts, &bant);
    let mut out = CopilotAnswer {
        engine: NAME.into(),
        text: String::new(),
        next_action,
        bant: None,
        total: None,
        hot: None,
        reasons: None,
        email: None,
    };
    match ask.ask {
        Ask::Qualify => {
            out.text = qualify_text(&bant);
            out.total = Some(bant.total());
            out.bant = Some(bant);
        }
        Ask::Hot => {
            let (hot, reasons) = hot(facts, &bant);
            out.text = format!("{} {}", if hot { "Yes, a hot lead:" } else { "Not hot yet:" }, reasons.join("; "));
            out.hot = Some(hot);
            out.reasons = Some(reasons);
        }
        Ask::IntroEmail => {
            let email = intro_email(facts);
            out.text = if email.may_send {
                "A first outreach drafted from the lead's fields; review it before sending.".into()
            } else {
                "Do not send: the lead opted out of email. The draft is only for reference.".into()
            };
            out.email = Some(email);
        }
        Ask::Question => out.text = question(facts, &bant, ask.question.as_deref().unwrap_or_default()),
    }
    out
}

fn dim(score: u8, reason: impl Into<String>) -> Dimension {
    Dimension { score, reason: reason.into() }
}

/// Lower case, every non-alphanumeric a space, padded, so `has` matches whole words only.
fn words(s: &str) -> String {
    format!(" {} ", s.to_lowercase().replace(|c: char| !c.is_alphanumeric(), " "))
}

fn has(text: &str, phrases: &[&str]) -> bool {
    phrases.iter().any(|p| text.contains(&format!(" {p} ")))
}

fn dollars(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("${out}")
}

pub fn budget(facts: &Facts) -> Dimension {
    match facts.lead.lead.budget {
        None => dim(0, "No budget is recorded on the lead."),
        Some(0) => dim(0, "The budget is recorded as $0."),
        Some(b) => {
            let score = match b {
                5_000.. => 25,
                3_000..=4_999 => 20,
                1_500..=2_999 => 15,
                500..=1_499 => 10,
                _ => 5,
            };
            dim(score, format!("Budget field: {} ({score}/25; $5,000 or more scores 25).", dollars(b)))
        }
    }
}

pub fn authority(facts: &Facts) -> Dimension {
    let Some(title) = facts.lead.lead.job_title.as_deref().map(str::trim).filter(|t| !t.is_empty() && *t != "***")
    else {
        return dim(0, "No job title is recorded, so the lead's authority is unknown.");
    };
    let t = words(title);
    let (score, level) =
        if has(&t, &["ceo", "cfo", "cto", "coo", "cio", "chief", "president", "owner", "founder", "partner"])
            && !has(&t, &["vice"])
        {
            (25, "an owner or C-level title")
        } else if has(&t, &["vp", "vice", "svp", "evp"]) {
            (20, "a vice-president title")
        } else if has(&t, &["director", "head"]) {
            (15, "a director title")
        } else if has(&t, &["manager", "lead", "supervisor"]) {
            (10, "a manager title")
        } else {
            (5, "a title without seniority words")
        };
    dim(score, format!("Job title \"{title}\" is {level} ({score}/25)."))
}

pub fn need(facts: &Facts) -> Dimension {
    let l = &facts.lead.lead;
    let mut score = 0u8;
    let mut parts = Vec::new();
    match l.industry.as_deref().filter(|i| !i.is_empty() && *i != "***") {
        Some(i) if facts.best_industries.iter().any(|b| b.eq_ignore_ascii_case(i)) => {
            score += 10;
            parts.push(format!("industry {i} is one the company rates best (+10)"));
        }
        Some(i) => {
            score += 5;
            parts.push(format!("industry {i} is recorded (+5)"));
        }
        None => parts.push("no industry recorded (+0)".into()),
    }
    let tags = facts.lead.tags.len();
    let tag_points = if tags >= 2 {
        10
    } else if tags == 1 {
        5
    } else {
        0
    };
    score += tag_points;
    parts.push(format!("{tags} tag{} on the lead (+{tag_points})", if tags == 1 { "" } else { "s" }));
    let engaged = l.webinars_attended > 0 || l.web_visits >= 3;
    if engaged {
        score += 5;
    }
    parts.push(format!(
        "{} web visit{} and {} webinar{} (+{})",
        l.web_visits,
        if l.web_visits == 1 { "" } else { "s" },
        l.webinars_attended,
        if l.webinars_attended == 1 { "" } else { "s" },
        if engaged { 5 } else { 0 }
    ));
    dim(score, format!("Need {score}/25: {}.", parts.join(", ")))
}

pub fn timeline(facts: &Facts) -> Dimension {
    let Some(text) = facts.lead.lead.timeline.as_deref().map(str::trim).filter(|t| !t.is_empty() && *t != "***") else {
        return dim(0, "No timeline is recorded on the lead.");
    };
    let t = words(text);
    let (score, why) =
        if has(&t, &["not sure", "unknown", "undecided", "someday", "no timeline", "just looking", "browsing"]) {
            (0, "says there is no decided timeline")
        } else if has(
            &t,
            &[
                "immediately",
                "immediate",
                "asap",
                "now",
                "today",
                "this week",
                "next week",
                "this month",
                "30 days",
                "1 month",
                "one month",
            ],
        ) {
            (25, "is within a month")
        } else if has(
            &t,
            &["next month", "this quarter", "quarter", "2 months", "3 months", "60 days", "90 days", "1 3 months"],
        ) {
            (18, "is within three months")
        } else if has(&t, &["6 months", "six months", "this year", "half"]) {
            (10, "is within six months")
        } else if has(&t, &["next year", "12 months", "year"]) {
            (5, "is a year or more away")
        } else {
            (5, "names no window Vigil recognises")
        };
    dim(score, format!("Timeline field \"{text}\" {why} ({score}/25)."))
}

pub fn bant(facts: &Facts) -> Bant {
    Bant { budget: budget(facts), authority: authority(facts), need: need(facts), timeline: timeline(facts) }
}

fn qualify_text(b: &Bant) -> String {
    format!(
        "BANT {}/100 (budget {}, authority {}, need {}, timeline {}; {} or more counts as qualified). {} {} {} {}",
        b.total(),
        b.budget.score,
        b.authority.score,
        b.need.score,
        b.timeline.score,
        QUALIFIED_TOTAL,
        b.budget.reason,
        b.authority.reason,
        b.need.reason,
        b.timeline.reason
    )
}

/// Hot when any signal holds; the reasons name each signal either way.
pub fn hot(facts: &Facts, b: &Bant) -> (bool, Vec<String>) {
    let r = &facts.lead;
    let mut yes = Vec::new();
    let mut no = Vec::new();
    if r.rating >= HOT_RATING {
        yes.push(format!("rated {} stars ({HOT_RATING} or more is hot)", r.rating));
    } else {
        no.push(format!("rated {} stars (hot needs {HOT_RATING})", r.rating));
    }
    if r.lead.score >= HOT_SCORE {
        yes.push(format!("lead score {} ({HOT_SCORE} or more)", r.lead.score));
    } else {
        no.push(format!("lead score {} (hot needs {HOT_SCORE})", r.lead.score));
    }
    if b.budget.score >= 15 && b.timeline.score >= 18 {
        yes.push(format!(
            "budget ({}/25) and a near timeline ({}/25) are both recorded",
            b.budget.score, b.timeline.score
        ));
    } else {
        no.push(format!("budget {}/25 and timeline {}/25 (hot needs 15 and 18)", b.budget.score, b.timeline.score));
    }
    if yes.is_empty() {
        (false, no)
    } else {
        (true, yes)
    }
}

pub fn next_action(facts: &Facts, b: &Bant) -> NextAction {
    let r = &facts.lead;
    let open = matches!(r.stage, Stage::New | Stage::Contacted);
    let (kind, label) = if r.stage == Stage::Unqualified {
        (NextActionKind::Reopen, "Reopen to New if the lead's circumstances have changed".to_owned())
    } else if r.stage == Stage::Qualified {
        (NextActionKind::Convert, "Convert the lead to a customer".to_owned())
    } else if open && facts.failed_contacts >= FAILED_CONTACTS_LIMIT {
        (
            NextActionKind::Disqualify,
            format!(
                "Disqualify: {} contact attempts have failed (the limit is {FAILED_CONTACTS_LIMIT})",
                facts.failed_contacts
            ),
        )
    } else if r.stage == Stage::Contacted && b.total() >= QUALIFIED_TOTAL {
        (NextActionKind::Qualify, format!("Move to Qualified: BANT {}/100", b.total()))
    } else if r.stage == Stage::New && !r.lead.do_not_call {
        (NextActionKind::ScheduleCall, format!("Call {} today and record the first contact", r.first_name))
    } else {
        (NextActionKind::SendFollowUp, "Send a follow-up and set the next follow-up date".to_owned())
    };
    NextAction { kind, label }
}

/// The draft in the lead's language (English where Vigil has no template for it), merge fields from the record.
pub fn intro_email(facts: &Facts) -> EmailDraft {
    let r = &facts.lead;
    let spanish = r.lead.language.as_deref() == Some("es");
    let business = r.business_name.as_deref().map(str::trim).filter(|b| !b.is_empty() && *b != "***");
    let city = Some(r.city.trim()).filter(|c| !c.is_empty() && *c != "***");
    let first = r.first_name.trim();
    let (subject, body) = if spanish {
        let place = business.map_or_else(|| "su hogar".to_owned(), str::to_owned);
        let in_city = city.map(|c| format!(" en {c}")).unwrap_or_default();
        (
            format!("Seguridad para {place}"),
            format!(
                "Hola {first}:\n\nGracias por su interés en proteger {place}{in_city}. Me gustaría saber qué es lo \
                 más importante para usted y proponerle opciones a su medida.\n\n¿Tendría 15 minutos esta semana \
                 para una breve llamada?\n\nSaludos cordiales,\n{}",
                facts.sender
            ),
        )
    } else {
        let place = business.map_or_else(|| "your home".to_owned(), str::to_owned);
        let in_city = city.map(|c| format!(" in {c}")).unwrap_or_default();
        (
            format!("Security for {place}"),
            format!(
                "Hi {first},\n\nThank you for your interest in protecting {place}{in_city}. I would like to learn \
                 what matters most to you and suggest options that fit.\n\nWould you have 15 minutes this week for \
                 a short call?\n\nBest regards,\n{}",
                facts.sender
            ),
        )
    };
    EmailDraft { subject, body, may_send: !r.lead.email_opt_out }
}

/// A free question, answered from the record only: the dimension it names, else the qualification in short.
fn question(facts: &Facts, b: &Bant, q: &str) -> String {
    let t = words(q);
    let pick: Vec<&Dimension> = [
        (&["budget", "money", "spend", "price", "presupuesto"][..], &b.budget),
        (&["authority", "decision", "decide", "title", "role"][..], &b.authority),
        (&["need", "needs", "industry", "interest", "engagement"][..], &b.need),
        (&["timeline", "when", "timing", "soon", "date"][..], &b.timeline),
    ]
    .into_iter()
    .filter(|(keys, _)| has(&t, keys))
    .map(|(_, d)| d)
    .collect();
    if has(&t, &["hot"]) {
        let (hot, reasons) = hot(facts, b);
        return format!("{} {}", if hot { "Hot:" } else { "Not hot:" }, reasons.join("; "));
    }
    if pick.is_empty() {
        return format!(
            "The Copilot answers from the lead's record only. In short: BANT {}/100; next: {}.",
            b.total(),
            next_action(facts, b).label
        );
    }
    pick.iter().map(|d| d.reason.as_str()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use vigil_domain::record::{Kind, LeadFields, Record};
    use vigil_domain::{RecordId, UserId};

    /// A plain new lead, Ann Lee of Provo, for the engines' tests.
    pub(in crate::copilot) fn lead() -> Record {
        Record {
            id: RecordId(7),
            kind: Kind::Lead,
            stage: Stage::New,
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            business_name: None,
            email: None,
            primary_phone: "8015550101".into(),
            address1: None,
            city: "Provo".into(),
            state: "UT".into(),
            zip: None,
            office_location_id: None,
            source_id: None,
            campaign_id: None,
            disposition: None,
            rating: 0,
            tags: vec![],
            lead_rep_id: None,
            account_number: None,
            next_followup: None,
            created_at: "2026-01-01T00:00:00.000Z".into(),
            created_by: UserId::parse("u").unwrap(),
            archived: false,
            version: 1,
            lead: LeadFields::default(),
        }
    }

    fn facts(f: impl FnOnce(&mut Record)) -> Facts {
        let mut r = lead();
        f(&mut r);
        Facts { lead: r, failed_contacts: 0, best_industries: vec!["Healthcare".into()], sender: "Sam Rep".into() }
    }

    #[test]
    fn budget_edges() {
        let at = |b: Option<u64>| budget(&facts(|r| r.lead.budget = b)).score;
        assert_eq!(
            [at(None), at(Some(0)), at(Some(499)), at(Some(500)), at(Some(4_999)), at(Some(5_000))],
            [0, 0, 5, 10, 20, 25]
        );
        assert!(budget(&facts(|r| r.lead.budget = Some(12_500))).reason.contains("$12,500"));
    }

    #[test]
    fn authority_edges() {
        let at = |t: Option<&str>| authority(&facts(|r| r.lead.job_title = t.map(str::to_owned))).score;
        assert_eq!(at(None), 0);
        assert_eq!(at(Some("Clerk")), 5);
        assert_eq!(at(Some("Office Manager")), 10);
        assert_eq!(at(Some("Director of Facilities")), 15);
        assert_eq!(at(Some("Vice President, Operations")), 20);
        assert_eq!(at(Some("CEO")), 25);
        assert_eq!(at(Some("***")), 0, "a masked title says nothing");
    }

    #[test]
    fn need_and_timeline_edges_and_the_total() {
        let f = facts(|r| {
            r.lead.industry = Some("Healthcare".into());
            r.tags = vec!["1".into(), "2".into()];
            r.lead.webinars_attended = 1;
            r.lead.timeline = Some("ASAP".into());
            r.lead.budget = Some(5_000);
            r.lead.job_title = Some("Owner".into());
        });
        let b = bant(&f);
        assert_eq!((b.need.score, b.timeline.score, b.total()), (25, 25, 100));
        assert_eq!(need(&facts(|_| {})).score, 0);
        let t = |s: &str| timeline(&facts(|r| r.lead.timeline = Some(s.into()))).score;
        assert_eq!(
            [t("not sure"), t("within 3 months"), t("in 6 months"), t("next year"), t("whenever")],
            [0, 18, 10, 5, 5]
        );
        assert!(!t("unknown").eq(&25), "\"now\" inside another word does not count");
    }

    #[test]
    fn hot_needs_a_signal_and_names_it() {
        let cold = facts(|_| {});
        let (h, reasons) = hot(&cold, &bant(&cold));
        assert!(!h);
        assert!(reasons.iter().any(|r| r.contains("rated 0 stars")));
        let rated = facts(|r| r.rating = 4);
        let (h, reasons) = hot(&rated, &bant(&rated));
        assert!(h);
        assert_eq!(reasons, vec!["rated 4 stars (4 or more is hot)".to_owned()]);
    }

    #[test]
    fn next_action_follows_the_stage_and_failed_contacts() {
        let kind = |f: Facts| next_action(&f, &bant(&f)).kind;
        assert_eq!(kind(facts(|_| {})), NextActionKind::ScheduleCall);
        assert_eq!(kind(facts(|r| r.lead.do_not_call = true)), NextActionKind::SendFollowUp);
        assert_eq!(kind(facts(|r| r.stage = Stage::Contacted)), NextActionKind::SendFollowUp);
        assert_eq!(kind(facts(|r| r.stage = Stage::Qualified)), NextActionKind::Convert);
        assert_eq!(kind(facts(|r| r.stage = Stage::Unqualified)), NextActionKind::Reopen);
        let mut f = facts(|r| r.stage = Stage::Contacted);
        f.failed_contacts = 3;
        assert_eq!(kind(f), NextActionKind::Disqualify);
        let qualified = facts(|r| {
            r.stage = Stage::Contacted;
            r.lead.budget = Some(5_000);
            r.lead.job_title = Some("CEO".into());
            r.lead.timeline = Some("this month".into());
        });
        assert_eq!(kind(qualified), NextActionKind::Qualify);
    }

    #[test]
    fn email_in_the_leads_language_and_never_sendable_under_opt_out() {
        let en = intro_email(&facts(|_| {}));
        assert!(en.body.starts_with("Hi Ann,") && en.body.contains("in Provo") && en.may_send);
        let es = intro_email(&facts(|r| {
            r.lead.language = Some("es".into());
            r.lead.email_opt_out = true;
        }));
        assert!(es.body.starts_with("Hola Ann:") && es.subject.contains("su hogar"));
        assert!(!es.may_send);
    }
}
