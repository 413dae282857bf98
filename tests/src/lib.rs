
pub mod contract;
pub mod moto;
