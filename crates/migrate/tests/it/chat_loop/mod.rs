//! The Chat v2 tool loop (`tool_loop`): its rules against a scripted model, against the
//! emulator's model (whose refusals are Cohere's), as properties, and under hostile
//! connectors and models.

mod connectors;
mod emulator;
mod hostile;
mod model;
mod properties;
mod rules;
