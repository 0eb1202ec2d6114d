"""Pure check logic, one module per family. No Django models are imported here: checks take plain
values (a domain, hosts, a network layer from audits.net) and return frozen CheckResult objects."""
