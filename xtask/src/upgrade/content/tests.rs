//! One file's merge: clean, conflicted, and the files that are never merged by lines.

use std::path::Path;

use super::{Merged, Merger, Sides, is_binary, is_opaque};
use crate::upgrade::scratch::Scratch;

fn merger(scratch: &Scratch) -> Merger {
    Merger {
        work: scratch.path().to_path_buf(),
        base_label: "template old".to_owned(),
        theirs_label: "template new".to_owned(),
    }
}

const BASE: &[u8] = b"one\ntwo\nthree\nfour\nfive\nsix\nseven\n";

#[test]
fn changes_in_different_regions_merge_cleanly() {
    let scratch = Scratch::new("content-test").unwrap();
    let sides = Sides {
        base: BASE,
        ours: b"ONE\ntwo\nthree\nfour\nfive\nsix\nseven\n",
        theirs: b"one\ntwo\nthree\nfour\nfive\nsix\nSEVEN\n",
    };
    let merged = merger(&scratch).merge(Path::new("notes.txt"), sides).unwrap();
    assert_eq!(merged, Merged::Clean(b"ONE\ntwo\nthree\nfour\nfive\nsix\nSEVEN\n".to_vec()));
}

#[test]
fn changes_to_one_region_conflict_with_diff3_markers_and_keep_crlf() {
    let scratch = Scratch::new("content-test").unwrap();
    let sides =
        Sides { base: b"a\r\nb\r\nc\r\n", ours: b"a\r\nB\r\nc\r\n", theirs: b"a\r\nX\r\nc\r\n" };
    let Merged::Conflicted { bytes, regions } =
        merger(&scratch).merge(Path::new("f"), sides).unwrap()
    else {
        panic!("expected a conflict");
    };
    assert_eq!(regions, 1);
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.starts_with("a\r\n<<<<<<< project\r\nB\r\n||||||| template old\r\nb\r\n"),
        "{text:?}"
    );
    assert!(text.contains("=======\r\nX\r\n>>>>>>> template new\r\nc\r\n"), "{text:?}");
}

#[test]
fn binary_files_and_sqlx_data_are_never_merged_by_lines() {
    let scratch = Scratch::new("content-test").unwrap();
    let binary = Sides { base: b"\0a", ours: b"\0b", theirs: b"\0c" };
    assert_eq!(merger(&scratch).merge(Path::new("logo.png"), binary).unwrap(), Merged::Unmergeable);
    let json = Sides { base: b"{}\n", ours: b"{\"a\":1}\n", theirs: b"{\"b\":2}\n" };
    let path = Path::new(".sqlx/query-1.json");
    assert_eq!(merger(&scratch).merge(path, json).unwrap(), Merged::Unmergeable);
    assert!(is_opaque(path) && !is_opaque(Path::new("src/sqlx.rs")));
    assert!(is_binary(b"x\0") && !is_binary("é\n".as_bytes()));
}

#[test]
fn lines_both_sides_added_alike_stay_out_of_the_conflict() {
    let scratch = Scratch::new("content-test").unwrap();
    let sides = Sides { base: b"a\n", ours: b"a\nx\nours\nz\n", theirs: b"a\nx\ntheirs\nz\n" };
    let merged = merger(&scratch).merge(Path::new("README.md"), sides).unwrap();
    let Merged::Conflicted { bytes, regions: 1 } = merged else {
        panic!("expected one conflict: {merged:?}");
    };
    let expected = "a\nx\n<<<<<<< project\nours\n||||||| template old\n=======\ntheirs\n>>>>>>> template new\nz\n";
    assert_eq!(String::from_utf8(bytes).unwrap(), expected);
}
