mod cli;
mod corpus;
mod hostile;
mod maps;
mod properties;
mod scenarios;
mod secrets;
mod support;
