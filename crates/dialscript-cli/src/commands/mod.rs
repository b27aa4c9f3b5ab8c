//! One module per subcommand.

pub mod check;
pub mod explain;
pub mod line;
pub mod run;
pub mod serve;
pub mod test;
