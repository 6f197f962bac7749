//! `cargo run --release -p truce-negotiate --example analyze -- DIR [raw] [json]`:
//! reads a domain directory and prints its analysis (what `truce analyze`
//! will do; used for the memory measurements in BENCH-NOTES.md).

use truce_negotiate::{
    AnalyzeOptions, DomainFiles, ReadOptions, Reading, analyze, read_domain, render_text,
};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: analyze DIR [raw] [json]");
        std::process::exit(2);
    };
    let mut files = Vec::new();
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| {
        eprintln!("error: {dir}: {e}");
        std::process::exit(2);
    });
    for entry in entries.flatten() {
        let path = entry.path();
        if let (Some(name), Ok(text)) = (path.file_name(), std::fs::read_to_string(&path)) {
            files.push((name.to_string_lossy().into_owned(), text));
        }
    }
    let opts = ReadOptions {
        reading: if args.iter().any(|a| a == "raw") {
            Reading::Raw
        } else {
            Reading::Genius
        },
        ..ReadOptions::default()
    };
    let domain = match read_domain(&DomainFiles { files }, &opts) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let analysis = analyze(&domain, &AnalyzeOptions::default());
    if args.iter().any(|a| a == "json") {
        match serde_json::to_string_pretty(&analysis) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("error: {e}"),
        }
    } else {
        print!("{}", render_text(&analysis));
    }
}
