//! Free text that names a person of the roster is caught, in any case and
//! punctuation; text that only looks like an id is not.

use truce_exec::person_id_in_text;

use crate::support::{Setup, example};

#[test]
fn person_ids_in_free_text_are_found() {
    let setup = Setup::new(example("humanitarian-pause"));
    let id = setup.roster.persons()[0].id.as_str().to_owned();
    for text in [
        format!("{id} was not released"),
        format!("Not released: {id}."),
        format!("({})", id.to_lowercase()),
        format!("persons {id}, and others"),
    ] {
        assert!(person_id_in_text(&text, &setup.roster), "{text}");
    }
    for text in [
        "The day's convoy reached the crossing two hours late.",
        "Z-99999 is no person of this deal",
        "A-",
    ] {
        assert!(!person_id_in_text(text, &setup.roster), "{text}");
    }
}
