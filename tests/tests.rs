//! Integration tests: one binary (ripgrep style), one module per subcommand.

mod ack;
mod build;
mod check;
mod claim_facts;
mod claim_facts_rules;
mod diagnostics;
mod eligibility;
mod file_kinds;
mod guides_27x;
mod json_money;
mod library;
mod money;
mod ncci;
mod parse;
mod reconcile;
mod reconcile_lines;
mod regression;
mod report;
mod schema;
mod secondary;
mod stream;
mod typos;
mod util;
mod validate;
mod x12_props;
