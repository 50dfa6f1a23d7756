mod cli;
mod corpus;
mod maps;
mod scenarios;
mod support;
