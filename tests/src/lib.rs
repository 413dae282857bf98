
pub mod contract;
pub mod moto;
pub mod browser;
