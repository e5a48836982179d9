//! `fixture_server SHAPE TOTAL`: serves the benchmark fixture in a process of its own and
//! prints its base URL on the first line of stdout; runs until killed.
#![forbid(unsafe_code)]

use cohere_connectors_benches::fixture::{Fixture, Pages, Shape};

fn main() {
    let mut args = std::env::args().skip(1);
    let shape = args
        .next()
        .as_deref()
        .and_then(Shape::parse)
        .unwrap_or(Shape::Light);
    let total = args
        .next()
        .and_then(|total| total.parse().ok())
        .unwrap_or(100);
    let fixture = Fixture::start_shaped(total, Pages::Prerendered, shape);
    println!("{}", fixture.base_url);
    loop {
        std::thread::park();
    }
}
