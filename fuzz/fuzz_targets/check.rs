//! Any bytes as a script: the checker never panics and its fixes never break the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parse = dialscript_syntax::parse(data);
    let options = dialscript_check::Options::default();
    let checked = dialscript_check::check(&parse, data, &options);
    for d in &checked.diagnostics {
        assert!(d.span.end as usize <= data.len());
    }
    let (fixed, _) = dialscript_check::fix::apply(data, &checked.diagnostics, true);
    let _ = dialscript_syntax::parse(&fixed);
});
