//! The sandbox bureau (`sandbox`, shown as "Sandbox bureau"): no network, its answer chosen by the last digit of
//! the SSN, so demos and tests pick the outcome they need.
//!
//! | SSN ends in | status | score | grade |
//! |---|---|---|---|
//! | 0 | completed | 780 | A |
//! | 1 | completed | 720 | A |
//! | 2 | completed | 680 | B |
//! | 3 | completed | 630 | C |
//! | 4 | completed | 580 | D |
//! | 5 | completed | 520 | F |
//! | 6 | declined | | |
//! | 7 | no_hit | | |
//! | 8 | error (bureau timeout) | | |
//! | 9 | error (bureau error) | | |
//!
//! Transaction IDs are `SBX-` and the check's ID, so they never carry any of the SSN.

use super::{Bureau, BureauAnswer, PullRequest};
use vigil_api::credit::{BureauOption, SANDBOX};

pub struct Sandbox;

/// The score of each scored last digit (0 to 5).
const SCORES: [u32; 6] = [780, 720, 680, 630, 580, 520];

impl Bureau for Sandbox {
    fn option(&self) -> BureauOption {
        BureauOption { id: SANDBOX.into(), name: "Sandbox bureau".into(), fields: vec![] }
    }

    fn pull(&self, request: &PullRequest<'_>) -> BureauAnswer {
        let transaction_id = format!("SBX-{:08}", request.check_id);
        let last = request.ssn.bytes().rev().find(u8::is_ascii_digit).map(|b| b - b'0');
        match last {
            Some(d @ 0..=5) => {
                let score = SCORES.get(usize::from(d)).copied().unwrap_or(520);
                BureauAnswer::Scored { score, transaction_id }
            }
            Some(6) => BureauAnswer::Declined { transaction_id },
            Some(7) => BureauAnswer::NoHit,
            Some(8) => BureauAnswer::Timeout,
            _ => BureauAnswer::Failed("the sandbox bureau reported an error".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pull(ssn: &str) -> BureauAnswer {
        let r = PullRequest {
            check_id: 7,
            ssn,
            first_name: "A",
            last_name: "B",
            address1: None,
            city: "Provo",
            state: "UT",
            zip: None,
            previous_address: None,
        };
        Sandbox.pull(&r)
    }

    #[test]
    fn the_last_digit_chooses_the_outcome() {
        let grades: Vec<&str> = ["123456780", "123456781", "123456782", "123456783", "123456784", "123456785"]
            .iter()
            .map(|s| match pull(s) {
                BureauAnswer::Scored { score, .. } => vigil_domain::customer::credit_grade(score),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(grades, ["A", "A", "B", "C", "D", "F"]);
        assert!(matches!(pull("123456786"), BureauAnswer::Declined { .. }));
        assert_eq!(pull("123456787"), BureauAnswer::NoHit);
        assert_eq!(pull("123456788"), BureauAnswer::Timeout);
        assert!(matches!(pull("123456789"), BureauAnswer::Failed(_)));
        assert_eq!(pull("123456780"), BureauAnswer::Scored { score: 780, transaction_id: "SBX-00000007".into() });
    }
}
