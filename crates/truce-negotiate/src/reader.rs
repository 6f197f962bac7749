//! A domain directory: tell the domain file from the profiles by content,
//! order parties by profile file name, and dispatch to the format readers.

use crate::domain::{Domain, DomainFiles, Format, Issue, ReadOptions};
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

/// Files that sit beside a domain and are neither domain nor profile:
/// GENIUS's `pareto.xml` (plain text), ANL's `specials.json`, NegMAS's
/// scenario statistics. Any other `.xml` or `.json` file that is not a domain
/// or profile is an error, so a broken profile is never skipped silently.
fn companion(name: &str) -> bool {
    let base = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase();
    let stem = base.rsplit_once('.').map_or(base.as_str(), |(s, _)| s);
    stem.starts_with("pareto")
        || stem.starts_with("specials")
        || stem.contains("stats")
        || stem.contains("info")
}

fn data_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".xml") || lower.ends_with(".json")
}

/// Why a well-formed file is not a domain or profile, or `None` to skip it.
fn refuse_other(name: &str, content: &Content) -> Option<ReadError> {
    if companion(name) {
        return None;
    }
    let what = match content {
        Content::Xml(doc) => format!(
            "root element <{}> (a domain is <negotiation_template>, a profile <utility_space>)",
            doc.root_element().tag_name().name()
        ),
        Content::Json(_) => "JSON without `issuesValues` (domain) or \
                             `LinearAdditiveUtilitySpace` (profile)"
            .to_owned(),
    };
    Some(ReadError::at(name, (1, 1), K::NotDomainOrProfile { what }))
}

fn refuse_text(name: &str) -> Option<ReadError> {
    (data_file(name) && !companion(name)).then(|| {
        ReadError::at(
            name,
            (1, 1),
            K::NotDomainOrProfile {
                what: "text that is neither XML nor JSON".into(),
            },
        )
    })
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
            if let Some(e) = refuse_text(name) {
                return Err(e);
            }
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
            Role::Other => match refuse_other(name, content) {
                Some(e) => return Err(e),
                None => ignored.push((*name).to_owned()),
            },
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
    if let [(only, _, _)] = profiles.as_slice() {
        return Err(ReadError::at(only, (1, 1), K::OneProfile));
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
                parties.push(web::read_profile(
                    pname,
                    ptext,
                    pj,
                    Some(&name),
                    &issues,
                    &metas,
                )?);
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

/// Reads profiles against issues that come from elsewhere instead of a
/// domain file: a deal's `[[open_issue]]` tables (issue name = id, values =
/// options), or issues a mediator typed in. Every profile (GENIUS
/// `<utility_space>` XML or GeniusWeb JSON, whose embedded domain name is not
/// checked) must name these issues and values; other files are ignored.
///
/// ```
/// use truce_negotiate::{DomainFiles, Issue, ReadOptions, read_profiles};
/// let issues = vec![Issue { name: "pause-days".into(), values: vec!["4".into(), "5".into()] }];
/// let profile = |a: f64, b: f64| format!(
///     r#"{{"LinearAdditiveUtilitySpace":{{"issueWeights":{{"pause-days":1}},
///        "issueUtilities":{{"pause-days":{{"DiscreteValueSetUtilities":
///        {{"valueUtilities":{{"4":{a},"5":{b}}}}}}}}}}}}}"#);
/// let files = DomainFiles { files: vec![
///     ("side-a.json".into(), profile(1.0, 0.2)),
///     ("side-b.json".into(), profile(0.0, 1.0)),
/// ]};
/// let domain = read_profiles("deal", issues, &files, &ReadOptions::default()).unwrap();
/// assert_eq!(domain.utilities(&[1]), vec![0.2, 1.0]);
/// ```
pub fn read_profiles(
    name: &str,
    issues: Vec<Issue>,
    files: &DomainFiles,
    opts: &ReadOptions,
) -> Result<Domain, ReadError> {
    let mut profiles = Vec::new();
    let mut ignored = Vec::new();
    let mut parsed = Vec::new();
    for (file, text) in &files.files {
        let body = text.trim_start_matches('\u{feff}').trim_start();
        if body.starts_with('<') {
            parsed.push((
                file,
                text,
                Content::Xml(genius::parse_xml(
                    file,
                    text.trim_start_matches('\u{feff}'),
                )?),
            ));
        } else if body.starts_with('{') {
            parsed.push((file, text, Content::Json(json::parse(file, text)?)));
        } else {
            if let Some(e) = refuse_text(file) {
                return Err(e);
            }
            ignored.push(file.clone());
        }
    }
    for (file, text, content) in &parsed {
        match classify(content) {
            Role::Profile => profiles.push((file.as_str(), text.as_str(), content)),
            Role::Domain => ignored.push((*file).clone()),
            Role::Other => match refuse_other(file, content) {
                Some(e) => return Err(e),
                None => ignored.push((*file).clone()),
            },
        }
    }
    if profiles.is_empty() {
        let first = files
            .files
            .first()
            .map_or("(no files)", |(n, _)| n.as_str());
        return Err(ReadError::at(first, (1, 1), K::NoProfiles));
    }
    if let [(only, _, _)] = profiles.as_slice() {
        return Err(ReadError::at(only, (1, 1), K::OneProfile));
    }
    profiles.sort_by(|a, b| a.0.cmp(b.0));
    ignored.sort();
    let mut notes = Vec::new();
    let mut parties = Vec::with_capacity(profiles.len());
    let xml = profiles.iter().all(|p| matches!(p.2, Content::Xml(_)));
    for (file, text, content) in &profiles {
        let party = match content {
            Content::Xml(doc) if xml => {
                let metas = vec![genius::IssueMeta::discrete(); issues.len()];
                genius::read_profile(file, doc, &issues, &metas, opts, &mut notes)?
            }
            Content::Json(j) if !xml => {
                let metas = vec![web::NumberMeta::default(); issues.len()];
                web::read_profile(file, text, j, None, &issues, &metas)?
            }
            _ => return Err(mixed(file)),
        };
        parties.push(party);
    }
    Ok(Domain {
        name: name.to_owned(),
        format: if xml {
            Format::GeniusXml
        } else {
            Format::GeniusWebJson
        },
        reading: opts.reading,
        issues,
        parties,
        ignored_files: ignored,
        notes,
    })
}
