//! A domain directory: tell the domain file from the profiles by content,
//! order parties by profile file name, and dispatch to the format readers.

use crate::domain::{Domain, DomainFiles, Format, ReadOptions};
use crate::error::{ReadError, ReadErrorKind as K};
use crate::json::{self, Json};
use crate::{reader_genius as genius, reader_geniusweb as web};

enum Content<'a> {
    Xml(roxmltree::Document<'a>),
    Json(Json),
}

enum Role {
    Domain,
    Profile,
    Other,
}

fn classify(content: &Content) -> Role {
    match content {
        Content::Xml(doc) => match doc.root_element().tag_name().name() {
            "negotiation_template" => Role::Domain,
            "utility_space" => Role::Profile,
            _ => Role::Other,
        },
        Content::Json(j) => {
            if j.get("issuesValues").is_some() {
                Role::Domain
            } else if j.get("LinearAdditiveUtilitySpace").is_some()
                || j.get("DiscountedUtilitySpace").is_some()
                || j.get("SumOfGroupsUtilitySpace").is_some()
            {
                Role::Profile
            } else {
                Role::Other
            }
        }
    }
}

/// Reads a domain directory handed over as `(file name, text)` pairs.
///
/// Files whose text is neither XML nor JSON (such as GENIUS's `pareto.xml`,
/// which holds plain utility pairs) and well-formed files that are neither a
/// domain nor a profile (such as ANL's `specials.json`) are skipped and listed
/// in [`Domain::ignored_files`]; a file that starts like XML or JSON but is
/// malformed is an error.
///
/// ```
/// use truce_negotiate::{DomainFiles, ReadOptions, read_domain};
/// let files = DomainFiles { files: vec![
///     ("d.xml".into(), r#"<negotiation_template><utility_space><objective>
///         <issue name="price" index="1" etype="discrete">
///           <item index="1" value="low"/><item index="2" value="high"/>
///         </issue></objective></utility_space></negotiation_template>"#.into()),
///     ("buyer.xml".into(), r#"<utility_space><objective><weight index="1" value="1"/>
///         <issue name="price" index="1"><item value="low" evaluation="2"/>
///         <item value="high" evaluation="1"/></issue></objective></utility_space>"#.into()),
///     ("seller.xml".into(), r#"<utility_space><objective><weight index="1" value="1"/>
///         <issue name="price" index="1"><item value="low" evaluation="0"/>
///         <item value="high" evaluation="4"/></issue></objective></utility_space>"#.into()),
/// ]};
/// let domain = read_domain(&files, &ReadOptions::default()).unwrap();
/// assert_eq!(domain.parties[0].name, "buyer");
/// assert_eq!(domain.utilities(&[1]), vec![0.5, 1.0]);
/// ```
pub fn read_domain(files: &DomainFiles, opts: &ReadOptions) -> Result<Domain, ReadError> {
    let mut parsed = Vec::new();
    let mut ignored = Vec::new();
    for (name, text) in &files.files {
        let body = text.trim_start_matches('\u{feff}').trim_start();
        let content = if body.starts_with('<') {
            Content::Xml(genius::parse_xml(
                name,
                text.trim_start_matches('\u{feff}'),
            )?)
        } else if body.starts_with('{') {
            Content::Json(json::parse(name, text)?)
        } else {
            ignored.push(name.clone());
            continue;
        };
        parsed.push((name.as_str(), text.as_str(), content));
    }
    let mut domain_file: Option<(&str, &str, &Content)> = None;
    let mut profiles = Vec::new();
    for (name, text, content) in &parsed {
        match classify(content) {
            Role::Domain => {
                if let Some((first, _, _)) = domain_file {
                    return Err(ReadError::at(
                        name,
                        (1, 1),
                        K::TwoDomains {
                            first: first.to_owned(),
                        },
                    ));
                }
                domain_file = Some((name, text, content));
            }
            Role::Profile => profiles.push((*name, *text, content)),
            Role::Other => ignored.push((*name).to_owned()),
        }
    }
    let Some((dname, dtext, dcontent)) = domain_file else {
        let first = files
            .files
            .first()
            .map_or("(no files)", |(n, _)| n.as_str());
        return Err(ReadError::at(
            first,
            (1, 1),
            K::NoDomain {
                files: files.files.len(),
            },
        ));
    };
    if profiles.is_empty() {
        return Err(ReadError::at(dname, (1, 1), K::NoProfiles));
    }
    // Parties are ordered by profile file name, as GENIUS and NegMAS list them.
    profiles.sort_by(|a, b| a.0.cmp(b.0));
    ignored.sort();
    let mut notes = Vec::new();
    let mut parties = Vec::with_capacity(profiles.len());
    let (name, format, issues) = match dcontent {
        Content::Xml(doc) => {
            let (issues, metas) = genius::read_domain(dname, doc, opts, &mut notes)?;
            for (pname, _, content) in &profiles {
                let Content::Xml(pdoc) = content else {
                    return Err(mixed(pname));
                };
                parties.push(genius::read_profile(
                    pname, pdoc, &issues, &metas, opts, &mut notes,
                )?);
            }
            (genius::stem(dname), Format::GeniusXml, issues)
        }
        Content::Json(j) => {
            let (name, issues, metas) = web::read_domain(dname, dtext, j)?;
            for (pname, ptext, content) in &profiles {
                let Content::Json(pj) = content else {
                    return Err(mixed(pname));
                };
                parties.push(web::read_profile(pname, ptext, pj, &name, &issues, &metas)?);
            }
            (name, Format::GeniusWebJson, issues)
        }
    };
    Ok(Domain {
        name,
        format,
        reading: opts.reading,
        issues,
        parties,
        ignored_files: ignored,
        notes,
    })
}

fn mixed(file: &str) -> ReadError {
    ReadError::at(file, (1, 1), K::MixedFormats)
}
