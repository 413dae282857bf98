
pub mod contract;
pub mod moto;
pub mod browser;
pub mod rehearsal;
