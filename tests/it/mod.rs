mod cli;
mod corpus;
mod hostile;
mod maps;
mod properties;
mod query;
mod scenarios;
mod support;
