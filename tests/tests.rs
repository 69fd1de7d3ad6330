//! Integration tests: one binary (ripgrep style), one module per subcommand.

mod parse;
mod util;
mod validate;
mod x12_props;
