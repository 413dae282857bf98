//! The Leads list and the Customer List (one engine; the filter names the kind): filters parsed from the query string, a small planner that picks the most selective access path
//! (using the maintained counters) and filters the rest, and the execution that reads a page in proportion to the
//! page, never to the company's table.
//!
//! Every access path yields items that carry the list columns (profiles, or the index items of
//! [`crate::record_index`]), in one of four orders: by ID (the company, rep, follow-up, facet, tag, prefix and
//! number partitions, merged by ID when a filter has several values), by name (GSI1), by address or by email (the
//! sorted index partitions). A cursor holds the sort key of the last item examined, so it means the same on every
//! path of the same order: the plan may change between pages (counters move) without skipping or repeating rows.
//!
//! `filter` (what the user asked), `plan` (which path to read), `exec` (reading a page); everything public is
//! re-exported here.

mod exec;
mod filter;
mod plan;

pub use exec::{list, LeadListMeta, LeadListPage, LeadRow, Named};
pub use filter::{Conds, LeadFilter, Order, SortField, TagsOp, View};
pub use plan::{plan, resume_cond, served_prefix, slot_of, sort_key, Counts, Plan, Stream};
