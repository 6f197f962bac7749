//! The OpenAPI document is served, is 3.1, and its shape (paths, methods,
//! statuses, schemas and their properties) is a snapshot: an API change
//! shows up in review.

use std::collections::BTreeMap;

use axum::http::StatusCode;

use crate::support::*;

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = test_app().await;
    let reply = send(&app, request("GET", "/api/v1/openapi.json", None, None)).await;
    assert_eq!(reply.status, StatusCode::OK);
    let doc = reply.body;
    assert_eq!(doc["openapi"], "3.1.0");

    // path → method → statuses
    let mut shape: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let statuses = op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
            shape
                .entry(path.clone())
                .or_default()
                .insert(method.clone(), statuses);
        }
    }
    // schema → its properties, required ones marked `*`
    let mut schemas: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let properties = schema["properties"]
            .as_object()
            .map(|p| {
                p.keys()
                    .map(|k| {
                        let star = if required.contains(&k.as_str()) {
                            "*"
                        } else {
                            ""
                        };
                        format!("{k}{star}")
                    })
                    .collect()
            })
            .unwrap_or_default();
        schemas.insert(name.clone(), properties);
    }
    // The person key and resolved persons are part of the contract.
    let property = |schema: &str, field: &str| {
        doc["components"]["schemas"][schema]["properties"][field].clone()
    };
    for (schema, field) in [
        ("CreateDeal", "person_key"),
        ("CreatedDeal", "person_key"),
        ("DealView", "person_key"),
        ("EventView", "persons"),
    ] {
        assert!(
            !property(schema, field).is_null(),
            "{schema}.{field} is not in the document"
        );
    }
    insta::assert_json_snapshot!((shape, schemas, &doc["components"]["securitySchemes"]));
}

#[tokio::test]
async fn the_explorer_is_served_from_the_binary() {
    let app = test_app().await;
    let reply = send(&app, request("GET", "/api/v1/explorer/", None, None)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.content_type.starts_with("text/html"),
        "{}",
        reply.content_type
    );
    let init = send(
        &app,
        request("GET", "/api/v1/explorer/swagger-initializer.js", None, None),
    )
    .await;
    assert!(init.text.contains("/api/v1/openapi.json"), "{}", init.text);
}
