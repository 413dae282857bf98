//! The demo companies' MMR configuration and rates.

use vigil_domain::customer::CustomerFields;
use vigil_domain::mmr::{LineItem, MmrItem, MmrMode, MmrRate, MmrSettings};
use vigil_domain::RecordId;

/// The demo configuration of the `n`th demo company: the first in breakout mode (four items, a dozen rates, a
/// legacy rate with a Cellular line no longer configured, one missing Warranty, one retired), the others simple.
pub fn demo_settings(n: u64) -> MmrSettings {
    if n != 0 {
        return MmrSettings { version: 1, ..MmrSettings::default() };
    }
    let items: Vec<MmrItem> = ["Monitoring", "Financing", "Warranty", "Video"]
        .iter()
        .enumerate()
        .map(|(i, name)| MmrItem { id: i as u32 + 1, name: (*name).into() })
        .collect();
    let rate = |id: u32, name: Option<&str>, amounts: &[(u32, u64)], active: bool| {
        let line_items: Vec<LineItem> = amounts
            .iter()
            .map(|(item, cents)| LineItem {
                item_id: *item,
                name: items.iter().find(|i| i.id == *item).map(|i| i.name.clone()).unwrap_or_else(|| "Cellular".into()),
                amount_cents: *cents,
            })
            .collect();
        MmrRate {
            id,
            name: name.map(str::to_owned),
            amount_cents: line_items.iter().map(|l| l.amount_cents).sum(),
            line_items,
            active,
        }
    };
    let full = |m, f, w, v| [(1, m), (2, f), (3, w), (4, v)];
    let rates = vec![
        rate(1, Some("Basic"), &full(2999, 0, 0, 0), true),
        rate(2, Some("Basic + Warranty"), &full(2999, 0, 500, 0), true),
        rate(3, Some("Standard"), &full(3499, 0, 500, 0), true),
        rate(4, Some("Standard Financed"), &full(3499, 1000, 500, 0), true),
        rate(5, Some("Interactive"), &full(3999, 0, 500, 0), true),
        rate(6, Some("Interactive Financed"), &full(3999, 1500, 500, 0), true),
        rate(7, Some("Video"), &full(3999, 0, 500, 1000), true),
        rate(8, Some("Video Financed"), &full(3999, 1500, 500, 1000), true),
        rate(9, None, &full(2999, 1000, 0, 0), true),
        rate(10, None, &full(3499, 1500, 0, 1000), true),
        // Item 5 (Cellular) was removed from the configuration: this rate mismatches.
        rate(11, Some("Legacy Cellular"), &[(1, 2999), (5, 1000)], true),
        rate(12, Some("Legacy No Warranty"), &[(1, 3499), (2, 1000), (4, 0)], true),
        rate(13, Some("Retired Basic"), &full(2499, 0, 500, 0), false),
    ];
    MmrSettings { mode: MmrMode::Breakout, version: 1, items, rates }
}

/// Gives a seeded customer a rate, by ID so the seed's random sequence is untouched: every fifth customer has none,
/// the first customer not archived gets the legacy Cellular rate (the demo's mismatched rate in use), the rest one
/// of the rates a customer can be given.
pub fn seed_rate(s: &MmrSettings, c: &mut CustomerFields, id: RecordId, archived: bool, legacy_given: &mut bool) {
    if s.mode == MmrMode::Breakout && !archived && !*legacy_given {
        if let Some(legacy) = s.rates.iter().find(|r| s.mismatch(r) && r.active) {
            c.mmr_id = Some(legacy.id);
            *legacy_given = true;
            return;
        }
    }
    let offered: Vec<&MmrRate> = s.rates.iter().filter(|r| s.assignable(r, None)).collect();
    if !id.0.is_multiple_of(5) && !offered.is_empty() {
        c.mmr_id = Some(offered[id.0 as usize % offered.len()].id);
        c.mmr_a_la_carte = s.mode == MmrMode::Simple && id.0.is_multiple_of(7);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_domain::mmr::parse_update;

    #[test]
    fn the_breakout_demo_has_matching_and_mismatched_rates() {
        let s = demo_settings(0);
        assert_eq!(s.mode, MmrMode::Breakout);
        let mismatched: Vec<u32> = s.rates.iter().filter(|r| s.mismatch(r)).map(|r| r.id).collect();
        assert_eq!(mismatched, [11, 12]);
        assert!(s.rates.iter().all(|r| r.amount_cents == r.line_items.iter().map(|l| l.amount_cents).sum::<u64>()));
        // It is a configuration an admin could save back unchanged.
        assert!(parse_update(&serde_json::to_value(&s).unwrap(), &s).is_ok());
        let mut c = CustomerFields::default();
        let mut given = false;
        seed_rate(&s, &mut c, RecordId(3), false, &mut given);
        assert_eq!(c.mmr_id, Some(11));
        let mut c = CustomerFields::default();
        seed_rate(&s, &mut c, RecordId(4), false, &mut given);
        assert!(c.mmr_id.is_some_and(|id| !s.mismatch(s.rate(id).unwrap())));
        assert_eq!(demo_settings(1).mode, MmrMode::Simple);
    }
}
