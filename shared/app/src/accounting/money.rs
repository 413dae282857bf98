//! Invoice arithmetic in integer cents: no floats touch money. Every sum is checked, so an absurd quantity is a
//! refusal rather than a wrapped number.

use vigil_api::accounting::LineItem;

/// The largest total an invoice may reach: ten million dollars.
pub const TOTAL_MAX: u64 = 1_000_000_000;
/// 100 %, in basis points.
pub const BP_MAX: u32 = 10_000;

/// A line's amount (`quantity × unit`), if it stays within [`TOTAL_MAX`].
pub fn line_amount(quantity: u64, unit_cents: u64) -> Option<u64> {
    quantity.checked_mul(unit_cents).filter(|a| *a <= TOTAL_MAX)
}

/// Subtotal, tax (the subtotal times the rate, rounded half up to the cent) and total, or `None` past
/// [`TOTAL_MAX`].
pub fn totals(lines: &[LineItem], tax_rate_bp: u32) -> Option<(u64, u64, u64)> {
    let subtotal = lines.iter().try_fold(0u64, |sum, l| sum.checked_add(l.amount_cents))?;
    let scaled = u128::from(subtotal) * u128::from(tax_rate_bp);
    let tax = u64::try_from((scaled + 5_000) / 10_000).ok()?;
    let total = subtotal.checked_add(tax).filter(|t| *t <= TOTAL_MAX)?;
    Some((subtotal, tax, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(q: u64, unit: u64) -> LineItem {
        LineItem {
            description: "x".into(),
            quantity: q,
            unit_cents: unit,
            amount_cents: line_amount(q, unit).unwrap(),
            equipment_id: None,
        }
    }

    #[test]
    fn tax_rounds_half_up_to_the_cent() {
        // 2 × $19.99 + $5.00 = $44.98; 7.25 % is 326.105 cents → 326.
        assert_eq!(totals(&[line(2, 1999), line(1, 500)], 725), Some((4498, 326, 4824)));
        // $1.00 at 0.5 % is exactly half a cent → 1.
        assert_eq!(totals(&[line(1, 100)], 50), Some((100, 1, 101)));
        assert_eq!(totals(&[], 0), Some((0, 0, 0)));
    }

    #[test]
    fn sums_past_the_limit_are_refused() {
        assert_eq!(line_amount(u64::MAX, 2), None);
        assert_eq!(line_amount(10, TOTAL_MAX / 10 + 1), None);
        assert_eq!(totals(&[line(1, TOTAL_MAX)], 100), None);
    }
}
