//! The payment-processor port. Vigil never sees a card number or CVV: the browser sends them straight to the
//! processor, which answers with a token; Vigil keeps the token, brand, last 4 and expiry, and charges the token.
//! The default is the sandbox processor (the local runtime serves its tokenizing endpoint, as a real processor
//! serves its own); a real processor is another implementation of [`PaymentProcessor`].

/// What a processor does for Vigil once it holds a token.
pub trait PaymentProcessor: Send + Sync {
    /// Its name, stored with each billing method.
    fn name(&self) -> &'static str;
    /// Whether the token is one this processor issued (its shape; a real processor would look it up).
    fn accepts(&self, token: &str) -> bool;
    /// Charges the token; the processor's reference for the charge, or why it was declined. `reference` makes the
    /// call idempotent at the processor.
    fn charge(&self, token: &str, amount_cents: u64, reference: &str) -> Result<String, String>;
    /// Voids (refunds in full) a charge this processor made, by its reference. Called when the payment a charge was
    /// for could not be saved, so no money is taken without a payment on the books.
    fn void(&self, processor_ref: &str) -> Result<(), String>;
}

/// The deterministic sandbox processor: tokens start `tok_sandbox_`; a token issued for the decline test card
/// (`4000 0000 0000 0002`) starts `tok_sandbox_decline_` and every charge of it is declined.
pub struct Sandbox;

pub const SANDBOX_PREFIX: &str = "tok_sandbox_";
pub const SANDBOX_DECLINE_PREFIX: &str = "tok_sandbox_decline_";

impl PaymentProcessor for Sandbox {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn accepts(&self, token: &str) -> bool {
        token.strip_prefix(SANDBOX_PREFIX).is_some_and(|rest| {
            let rest = rest.strip_prefix("decline_").unwrap_or(rest);
            rest.len() == 32 && rest.bytes().all(|b| b.is_ascii_hexdigit())
        })
    }

    fn charge(&self, token: &str, _amount_cents: u64, reference: &str) -> Result<String, String> {
        if token.starts_with(SANDBOX_DECLINE_PREFIX) {
            return Err("the card was declined (sandbox decline card)".into());
        }
        Ok(format!("ch_sandbox_{reference}"))
    }

    fn void(&self, processor_ref: &str) -> Result<(), String> {
        if !processor_ref.starts_with("ch_sandbox_") {
            return Err("not a sandbox charge".into());
        }
        let mut voided = SANDBOX_VOIDS.lock().map_err(|_| "the sandbox's ledger is unavailable".to_owned())?;
        if !voided.iter().any(|v| v == processor_ref) {
            voided.push(processor_ref.to_owned());
        }
        Ok(())
    }
}

/// The sandbox's ledger of voided charges, as a real processor's dashboard would list them (in memory: the
/// sandbox moves no money).
static SANDBOX_VOIDS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Whether the sandbox voided the charge `processor_ref`.
pub fn sandbox_voided(processor_ref: &str) -> bool {
    SANDBOX_VOIDS.lock().is_ok_and(|v| v.iter().any(|x| x == processor_ref))
}

/// The processor in use. Only the sandbox exists so far; a real one is chosen here by configuration.
pub fn processor() -> &'static dyn PaymentProcessor {
    &Sandbox
}

/// What the sandbox's tokenizing endpoint checked of a card: its brand and last 4 (the number itself is dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardCheck {
    pub brand: &'static str,
    pub last4: String,
    pub decline: bool,
}

/// Checks a card number (digits, spaces and dashes; 12–19 digits passing Luhn) without keeping it. The error names
/// no digit.
pub fn check_card(number: &str) -> Result<CardCheck, &'static str> {
    let mut digits = Vec::with_capacity(19);
    for c in number.chars() {
        match c {
            '0'..='9' => digits.push(c as u8 - b'0'),
            ' ' | '-' => {}
            _ => return Err("the card number may hold only digits, spaces and dashes"),
        }
    }
    if !(12..=19).contains(&digits.len()) {
        return Err("the card number has 12 to 19 digits");
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(*d);
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    if !sum.is_multiple_of(10) {
        return Err("the card number is not valid");
    }
    let brand = match digits.first().copied() {
        Some(4) => "Visa",
        Some(5) => "Mastercard",
        Some(3) => "American Express",
        Some(6) => "Discover",
        _ => "Card",
    };
    let last4: String = digits.iter().rev().take(4).rev().map(|d| char::from(b'0' + d)).collect();
    let decline = digits == [4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
    Ok(CardCheck { brand, last4, decline })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_are_checked_by_luhn_and_named_by_brand() {
        let ok = check_card("4242 4242 4242 4242").unwrap();
        assert_eq!((ok.brand, ok.last4.as_str(), ok.decline), ("Visa", "4242", false));
        assert!(check_card("4000000000000002").unwrap().decline);
        assert!(check_card("4242424242424241").is_err());
        assert!(check_card("42").is_err());
        assert!(check_card("4242x").is_err());
    }

    #[test]
    fn the_sandbox_accepts_its_own_tokens_only() {
        let t = format!("{SANDBOX_PREFIX}{}", "ab".repeat(16));
        assert!(Sandbox.accepts(&t));
        assert!(Sandbox.accepts(&format!("{SANDBOX_DECLINE_PREFIX}{}", "0".repeat(32))));
        assert!(!Sandbox.accepts("tok_live_123"));
        assert!(!Sandbox.accepts(&format!("{SANDBOX_PREFIX}zz")));
        assert!(Sandbox.charge(&t, 100, "r1").is_ok());
        assert!(Sandbox.charge(&format!("{SANDBOX_DECLINE_PREFIX}{}", "0".repeat(32)), 100, "r1").is_err());
    }

    #[test]
    fn the_sandbox_voids_its_own_charges_once() {
        let charge = Sandbox.charge(&format!("{SANDBOX_PREFIX}{}", "cd".repeat(16)), 100, "void-1").unwrap();
        assert!(!sandbox_voided(&charge));
        assert!(Sandbox.void(&charge).is_ok() && Sandbox.void(&charge).is_ok());
        assert!(sandbox_voided(&charge));
        assert!(Sandbox.void("ch_live_1").is_err());
    }
}
