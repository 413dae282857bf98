//! The lead score: weighted factors (company size, industry fit, title seniority, engagement).

use super::values::INDUSTRIES;
use crate::error::Errors;
use crate::record::{Record, ScoreFactor};
use crate::{FieldError, Invalid};
use serde::{Deserialize, Serialize};
use vigil_json::{FromJson, ToJson};

/// How much each factor may add to the score (points; the score is capped at 100), and which industries fit best.
/// An admin changes these under Settings › Lead scoring.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ScoringWeights {
    #[cfg_attr(feature = "openapi", schemars(range(max = 100)))]
    pub company_size: u8,
    #[cfg_attr(feature = "openapi", schemars(range(max = 100)))]
    pub industry_fit: u8,
    #[cfg_attr(feature = "openapi", schemars(range(max = 100)))]
    pub title_seniority: u8,
    #[cfg_attr(feature = "openapi", schemars(range(max = 100)))]
    pub engagement: u8,
    #[serde(default = "default_best_industries")]
    pub best_industries: Vec<String>,
    /// The version read: a save with another one is refused (409), so two admins do not overwrite each other. 0 for
    /// the defaults, before anyone saved.
    #[serde(default)]
    pub version: u64,
}

fn default_best_industries() -> Vec<String> {
    vec!["Technology".into(), "Finance".into(), "Healthcare".into()]
}

impl Default for ScoringWeights {
    fn default() -> Self {
        Self {
            company_size: 30,
            industry_fit: 25,
            title_seniority: 25,
            engagement: 20,
            best_industries: default_best_industries(),
            version: 0,
        }
    }
}

impl ScoringWeights {
    /// Each weight 0–100 and together at most 100; best industries from [`INDUSTRIES`].
    pub fn validate(&self) -> Result<(), Invalid> {
        let mut e = Errors::new();
        for (field, w) in [
            ("company_size", self.company_size),
            ("industry_fit", self.industry_fit),
            ("title_seniority", self.title_seniority),
            ("engagement", self.engagement),
        ] {
            if w > 100 {
                e.push(FieldError::new(field, "invalid", "weight must be 0 to 100"));
            }
        }
        let total: u32 = [self.company_size, self.industry_fit, self.title_seniority, self.engagement]
            .iter()
            .map(|w| *w as u32)
            .sum();
        if total > 100 {
            e.push(FieldError::new(
                "weights",
                "invalid",
                format!("weights add up to {total}; they may add up to 100 at most"),
            ));
        }
        for i in &self.best_industries {
            if !INDUSTRIES.contains(&i.as_str()) {
                e.push(FieldError::new("best_industries", "invalid", format!("{i} is not one of the industries")));
            }
        }
        e.finish()
    }
}

/// 0.0–1.0: bigger revenue and headcount score higher.
fn company_size(employees: Option<u32>, revenue: Option<u64>) -> f64 {
    let by_staff = match employees {
        Some(n) if n >= 1000 => 1.0,
        Some(n) if n >= 200 => 0.75,
        Some(n) if n >= 50 => 0.5,
        Some(n) if n >= 10 => 0.25,
        Some(n) if n > 0 => 0.1,
        _ => 0.0,
    };
    let by_revenue = match revenue {
        Some(n) if n >= 100_000_000 => 1.0,
        Some(n) if n >= 10_000_000 => 0.75,
        Some(n) if n >= 1_000_000 => 0.5,
        Some(n) if n > 0 => 0.25,
        _ => 0.0,
    };
    f64::max(by_staff, by_revenue)
}

fn industry_fit(industry: Option<&str>, best: &[String]) -> f64 {
    match industry {
        None => 0.0,
        Some(i) if best.iter().any(|b| b == i) => 1.0,
        Some("Other") => 0.2,
        Some(_) => 0.5,
    }
}

fn title_seniority(title: Option<&str>) -> f64 {
    let Some(t) = title else { return 0.0 };
    let t = format!(" {} ", t.to_lowercase().replace(|c: char| !c.is_alphanumeric(), " "));
    let has = |words: &[&str]| words.iter().any(|w| t.contains(&format!(" {w} ")));
    if has(&["ceo", "cfo", "cto", "coo", "cio", "ciso", "cmo", "chief", "president", "owner", "founder", "partner"])
        && !has(&["vice"])
    {
        1.0
    } else if has(&["vp", "vice", "svp", "evp"]) {
        0.8
    } else if has(&["director", "head"]) {
        0.6
    } else if has(&["manager", "lead", "supervisor"]) {
        0.4
    } else {
        0.2
    }
}

fn engagement(web_visits: u32, webinars: u32) -> f64 {
    f64::min(1.0, web_visits as f64 * 0.1 + webinars as f64 * 0.3)
}

/// The lead's score 0–100 and each factor's contribution in points.
pub fn score(r: &Record, w: &ScoringWeights) -> (u8, Vec<ScoreFactor>) {
    let l = &r.lead;
    let factors = [
        ("company_size", w.company_size, company_size(l.employees, l.annual_revenue)),
        ("industry_fit", w.industry_fit, industry_fit(l.industry.as_deref(), &w.best_industries)),
        ("title_seniority", w.title_seniority, title_seniority(l.job_title.as_deref())),
        ("engagement", w.engagement, engagement(l.web_visits, l.webinars_attended)),
    ];
    let out: Vec<ScoreFactor> = factors
        .iter()
        .map(|(name, weight, f)| ScoreFactor {
            factor: (*name).into(),
            weight: *weight,
            points: (*weight as f64 * f).round() as u8,
        })
        .collect();
    let total: u32 = out.iter().map(|f| f.points as u32).sum();
    (total.min(100) as u8, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_weighs_size_industry_title_and_engagement() {
        let mut r = crate::record::tests::sample();
        let w = ScoringWeights::default();
        assert_eq!(score(&r, &w).0, 0);
        r.lead.employees = Some(5000);
        r.lead.industry = Some("Finance".into());
        r.lead.job_title = Some("Chief Executive Officer".into());
        r.lead.web_visits = 4;
        r.lead.webinars_attended = 2;
        let (s, factors) = score(&r, &w);
        assert_eq!(s, 100);
        assert_eq!(factors.iter().map(|f| f.points as u32).sum::<u32>(), 100);
        r.lead.job_title = Some("VP Sales".into());
        r.lead.industry = Some("Retail".into());
        let (s2, f2) = score(&r, &w);
        assert!(s2 < s);
        assert_eq!(f2.iter().find(|f| f.factor == "title_seniority").unwrap().points, 20);
        let heavy =
            ScoringWeights { engagement: 100, company_size: 0, industry_fit: 0, title_seniority: 0, ..w.clone() };
        assert_eq!(score(&r, &heavy).0, 100);
        assert!(ScoringWeights { engagement: 90, ..w }.validate().is_err());
    }
}
