//! Integration tests: one binary (ripgrep style), one module per subcommand.

mod ack;
mod build;
mod check;
mod claim_facts;
mod claim_facts_rules;
mod eligibility;
mod library;
mod parse;
mod reconcile;
mod reconcile_lines;
mod regression;
mod report;
mod secondary;
mod util;
mod validate;
mod x12_props;
