//! One CSV row per person: when (or whether) they are released.

use std::collections::HashMap;

use truce_spec::Deal;

use super::{ExportError, date_of};
use crate::plan::Plan;

/// Columns: `id,holder,category,group,tier,released,day,date,handover`
/// (`handover` is the 1-based position in the day); persons in roster order.
pub fn export_csv(deal: &Deal, plan: &Plan) -> Result<String, ExportError> {
    let mut when: HashMap<&str, (u32, usize)> = HashMap::new();
    for stage in &plan.stages {
        for (i, h) in stage.handovers.iter().enumerate() {
            for id in &h.persons {
                when.insert(id.as_str(), (stage.day, i + 1));
            }
        }
    }
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let err = |e: ::csv::Error| ExportError::Csv(e.to_string());
    w.write_record([
        "id", "holder", "category", "group", "tier", "released", "day", "date", "handover",
    ])
    .map_err(err)?;
    for p in &deal.persons {
        let tier = deal
            .tier(&p.category)
            .map_or(String::new(), |t| t.to_string());
        let group = p.group.as_ref().map_or("", |g| g.as_str());
        let (released, day, date, handover) = match when.get(p.id.as_str()) {
            Some(&(day, h)) => {
                let date = date_of(deal, day).map_or(String::new(), |d| d.to_string());
                ("yes", day.to_string(), date, h.to_string())
            }
            None => ("no", String::new(), String::new(), String::new()),
        };
        w.write_record([
            p.id.as_str(),
            p.holder.as_str(),
            p.category.as_str(),
            group,
            &tier,
            released,
            &day,
            &date,
            &handover,
        ])
        .map_err(err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ExportError::Csv(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| ExportError::Csv(e.to_string()))
}
