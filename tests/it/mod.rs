mod cli;
mod corpus;
mod hostile;
mod maps;
mod scenarios;
mod support;
