//! The Leads list's filters as they live in the URL: the same parameter names as `GET /api/v1/leads`, so a
//! bookmarked view reloads to the same query. Pure, so it is tested natively.

use crate::api::Partner;

pub const PER_PAGES: [u32; 3] = [10, 25, 50];
pub const DEFAULT_PER_PAGE: u32 = 25;

/// `tags_op` values with the flyout's labels; the first is the default.
pub const TAG_OPS: [(&str, &str); 4] = [
    ("any", "Has any of"),
    ("all", "Has all of"),
    ("none", "Does not have any of"),
    ("not_all", "Does not have all of"),
];

/// Sort choices of the flyout: (value, label).
pub const SORTS: [(&str, &str); 5] =
    [("id", "ID"), ("name", "Name"), ("address", "Address"), ("email", "Email"), ("created", "Entered date")];

/// Saved views: (value, tab label). The tab "All" is no view. By source lists groups, not leads.
pub const VIEWS: [(&str, &str); 6] = [
    ("my_open", "My open"),
    ("hot", "Hot"),
    ("todays_followups", "Today's follow-ups"),
    ("recent", "Recent"),
    ("my_assigned", "My assigned"),
    ("by_source", "By source"),
];

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LeadFilter {
    pub number: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub sources: Vec<u32>,
    pub campaigns: Vec<u32>,
    pub tags: Vec<u32>,
    /// Empty means the server's default (`any`).
    pub tags_op: String,
    pub stage: String,
    pub disposition: String,
    pub rep: String,
    pub view: String,
    /// Empty means the company's preferred order.
    pub sort: String,
    /// `asc`, `desc` or empty (the sort's natural direction).
    pub dir: String,
    /// 0 means the default (25).
    pub per_page: u32,
    /// Search mode: the user pressed Submit (the server shows no rows before that).
    pub submitted: bool,
}

fn ids(s: &str) -> Vec<u32> {
    let mut v: Vec<u32> = s.split(',').filter_map(|p| p.trim().parse().ok()).filter(|n| *n > 0).collect();
    v.dedup();
    v
}

fn join(ids: &[u32]) -> String {
    ids.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

impl LeadFilter {
    /// Reads decoded `(name, value)` pairs; unknown names and unusable values are ignored.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut f = LeadFilter::default();
        for (k, v) in pairs {
            let v = v.trim();
            match k {
                "number" => f.number = v.chars().filter(char::is_ascii_digit).collect(),
                "first_name" => f.first_name = v.to_owned(),
                "last_name" => f.last_name = v.to_owned(),
                "email" => f.email = v.to_owned(),
                "source" => f.sources = ids(v),
                "campaign" => f.campaigns = ids(v),
                "tags" => f.tags = ids(v),
                "tags_op" if TAG_OPS.iter().any(|(o, _)| *o == v) => f.tags_op = v.to_owned(),
                "stage" => f.stage = v.to_owned(),
                "disposition" => f.disposition = v.to_owned(),
                "rep" => f.rep = v.to_owned(),
                "view" if VIEWS.iter().any(|(o, _)| *o == v) => f.view = v.to_owned(),
                "sort" if SORTS.iter().any(|(o, _)| *o == v) => f.sort = v.to_owned(),
                "dir" if v == "asc" || v == "desc" => f.dir = v.to_owned(),
                "per_page" => f.per_page = v.parse().ok().filter(|n| PER_PAGES.contains(n)).unwrap_or(0),
                "submitted" => f.submitted = v == "true",
                _ => {}
            }
        }
        f
    }

    /// The non-empty parameters, in a fixed order (so the same filter is the same URL).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut put = |k: &'static str, v: String| {
            if !v.is_empty() {
                out.push((k, v));
            }
        };
        put("number", self.number.clone());
        put("first_name", self.first_name.clone());
        put("last_name", self.last_name.clone());
        put("email", self.email.clone());
        put("source", join(&self.sources));
        put("campaign", join(&self.campaigns));
        put("tags", join(&self.tags));
        if !self.tags.is_empty() {
            put("tags_op", if self.tags_op.is_empty() { "any".to_owned() } else { self.tags_op.clone() });
        }
        put("stage", self.stage.clone());
        put("disposition", self.disposition.clone());
        put("rep", self.rep.clone());
        put("view", self.view.clone());
        put("sort", self.sort.clone());
        put("dir", self.dir.clone());
        if self.per_page != 0 {
            put("per_page", self.per_page.to_string());
        }
        if self.submitted {
            put("submitted", "true".into());
        }
        out
    }

    /// Clear: every search field goes, the sort, per-page and saved view stay.
    pub fn cleared(&self) -> Self {
        LeadFilter {
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            per_page: self.per_page,
            view: self.view.clone(),
            ..Default::default()
        }
    }

    /// Whether any search field is set (the flyout button shows a count).
    pub fn search_count(&self) -> usize {
        [!self.number.is_empty(), !self.first_name.is_empty(), !self.last_name.is_empty(), !self.email.is_empty()]
            .into_iter()
            .filter(|b| *b)
            .count()
            + usize::from(!self.sources.is_empty())
            + usize::from(!self.campaigns.is_empty())
            + usize::from(!self.tags.is_empty())
            + usize::from(!self.stage.is_empty())
            + usize::from(!self.disposition.is_empty())
            + usize::from(!self.rep.is_empty())
    }

    pub fn per_page_or_default(&self) -> u32 {
        if self.per_page == 0 {
            DEFAULT_PER_PAGE
        } else {
            self.per_page
        }
    }

    /// Clicking a sortable header: the same column flips direction, another column starts ascending.
    pub fn sorted_by(&self, sort: &str) -> Self {
        let dir = if self.sort == sort && self.dir != "desc" { "desc" } else { "asc" };
        LeadFilter { sort: sort.to_owned(), dir: dir.to_owned(), ..self.clone() }
    }

    /// Chooses sources; campaigns that belong to none of them go.
    pub fn with_sources(&self, sources: Vec<u32>, all: &[Partner]) -> Self {
        let mut f = LeadFilter { sources, ..self.clone() };
        if !f.sources.is_empty() {
            f.campaigns.retain(|c| {
                all.iter().any(|p| f.sources.contains(&p.id.0) && p.campaigns.iter().any(|pc| pc.id.0 == *c))
            });
        }
        f
    }
}

/// The Source Campaign choices: with exactly one source selected, its campaigns by name; otherwise the campaigns of
/// the selected sources (all sources when none is selected), each prefixed with its source's name.
pub fn campaign_options(all: &[Partner], selected: &[u32]) -> Vec<(u32, String)> {
    let chosen: Vec<&Partner> = all.iter().filter(|p| selected.is_empty() || selected.contains(&p.id.0)).collect();
    let single = selected.len() == 1;
    chosen
        .iter()
        .flat_map(|p| {
            p.campaigns
                .iter()
                .map(move |c| (c.id.0, if single { c.name.clone() } else { format!("{} — {}", p.name, c.name) }))
        })
        .collect()
}

/// Encodes pairs as a query string without `?`.
pub fn to_query(pairs: &[(&str, String)], encode: impl Fn(&str) -> String) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Campaign;
    use vigil_domain::{CampaignId, PartnerId};

    fn partners() -> Vec<Partner> {
        let c = |partner, id, name: &str| Campaign {
            id: CampaignId(id),
            partner_id: PartnerId(partner),
            name: name.into(),
        };
        vec![
            Partner { id: PartnerId(1), name: "Web".into(), campaigns: vec![c(1, 10, "Spring"), c(1, 11, "Fall")] },
            Partner { id: PartnerId(2), name: "Door".into(), campaigns: vec![c(2, 20, "Block party")] },
        ]
    }

    #[test]
    fn round_trips_through_pairs() {
        let f = LeadFilter::from_pairs([
            ("number", "801-555"),
            ("source", "1,2"),
            ("campaign", "10"),
            ("tags", "3,7"),
            ("tags_op", "not_all"),
            ("sort", "name"),
            ("dir", "desc"),
            ("per_page", "50"),
            ("view", "hot"),
            ("submitted", "true"),
            ("bogus", "1"),
        ]);
        assert_eq!(f.number, "801555");
        assert_eq!(f.tags, vec![3, 7]);
        let pairs = f.pairs();
        let again = LeadFilter::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())));
        assert_eq!(again, f);
        assert!(pairs.contains(&("tags_op", "not_all".into())));
    }

    #[test]
    fn bad_values_are_dropped() {
        let f = LeadFilter::from_pairs([("per_page", "30"), ("sort", "ssn"), ("tags_op", "some"), ("view", "x")]);
        assert_eq!(f, LeadFilter::default());
        assert_eq!(f.per_page_or_default(), 25);
    }

    #[test]
    fn clear_keeps_sort_and_per_page() {
        let f = LeadFilter {
            first_name: "Ann".into(),
            tags: vec![1],
            sort: "name".into(),
            per_page: 10,
            ..Default::default()
        };
        let c = f.cleared();
        assert_eq!((c.sort.as_str(), c.per_page, c.first_name.as_str(), c.tags.len()), ("name", 10, "", 0));
    }

    #[test]
    fn campaigns_narrow_to_one_source_and_prefix_otherwise() {
        let all = partners();
        assert_eq!(campaign_options(&all, &[1]), vec![(10, "Spring".into()), (11, "Fall".into())]);
        let any = campaign_options(&all, &[]);
        assert_eq!(any.len(), 3);
        assert_eq!(any[2].1, "Door — Block party");
        assert_eq!(campaign_options(&all, &[1, 2])[0].1, "Web — Spring");
        let f = LeadFilter { campaigns: vec![10, 20], ..Default::default() }.with_sources(vec![2], &all);
        assert_eq!(f.campaigns, vec![20]);
    }

    #[test]
    fn header_sort_flips_direction() {
        let f = LeadFilter::default().sorted_by("name");
        assert_eq!((f.sort.as_str(), f.dir.as_str()), ("name", "asc"));
        assert_eq!(f.sorted_by("name").dir, "desc");
        assert_eq!(f.sorted_by("name").sorted_by("name").dir, "asc");
        assert_eq!(f.sorted_by("id").dir, "asc");
    }

    #[test]
    fn queries_encode() {
        assert_eq!(to_query(&[("a", "1".into()), ("b", "x".into())], str::to_owned), "a=1&b=x");
    }
}
