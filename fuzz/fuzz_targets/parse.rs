//! Any bytes as a script: parsing never panics, spans stay in the input, and an error-free
//! tree prints to text that parses back to the same printed form.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parse = dialscript_syntax::parse(data);
    for d in &parse.diagnostics {
        assert!(d.span.start <= d.span.end && d.span.end as usize <= data.len());
    }
    if !parse.has_errors() {
        let printed = dialscript_syntax::print(&parse.script);
        let again = dialscript_syntax::parse(&printed);
        assert!(!again.has_errors(), "printed form does not parse");
        assert_eq!(dialscript_syntax::print(&again.script), printed);
    }
});
