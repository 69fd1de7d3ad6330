//! Config tests: parsing, normalizing and located errors.

use super::*;

const EXAMPLE: &str = r#"
[interchange]
sender_qualifier = "ZZ"
sender_id = "DEMOSUBMITTER"
receiver_qualifier = "ZZ"
receiver_id = "DEMOCLEARING"
usage = "T"

[submitter]
name = "Demo Medical Group"
id = "DEMO01"
contact_name = "Billing Office"
phone = "555-555-0100"

[receiver]
name = "Demo Clearinghouse"
id = "DEMOCLEARING"

[[billing_provider]]
npi = "1234567893"
name = "Demo Medical Group"
tax_id = "12-3456789"
address1 = "100 Main St"
city = "Springfield"
state = "IL"
zip = "62701-0001"

[[payer]]
id = "DEMOPAYER1"
name = "Demo Health Plan"
filing_indicator = "CI"
"#;

#[test]
fn reads_example_and_normalizes() {
    let c = Config::parse(EXAMPLE, "claimflow.toml").unwrap();
    assert_eq!(c.billing_provider[0].tax_id, "123456789");
    assert_eq!(c.billing_provider[0].zip, "627010001");
    assert_eq!(c.interchange.gs_sender(), "DEMOSUBMITTER");
    assert_eq!(c.interchange.max_claims_per_transaction, 5000);
    assert!(c.payer("DEMOPAYER1").is_some());
}

#[test]
fn reads_a_person_billing_provider_with_a_pay_to_address() {
    let text = EXAMPLE.replace(
        "name = \"Demo Medical Group\"\ntax_id",
        "entity = \"person\"\nlast_name = \"Rivera\"\nfirst_name = \"Ana\"\ntax_id",
    ) + "\n[billing_provider.pay_to]\naddress1 = \"PO Box 4410\"\ncity = \"Springfield\"\nstate = \"IL\"\nzip = \"62705-4410\"\n";
    // The pay_to table must follow its billing provider.
    let text = text.replacen(
        "\n[[payer]]\nid = \"DEMOPAYER1\"\nname = \"Demo Health Plan\"\nfiling_indicator = \"CI\"\n",
        "\n",
        1,
    ) + "\n[[payer]]\nid = \"DEMOPAYER1\"\nname = \"Demo Health Plan\"\nfiling_indicator = \"CI\"\n";
    let c = Config::parse(&text, "c.toml").unwrap();
    let bp = &c.billing_provider[0];
    assert_eq!(bp.entity, Entity::Person);
    assert_eq!((bp.last_name.as_deref(), bp.first_name.as_deref()), (Some("Rivera"), Some("Ana")));
    assert_eq!(bp.pay_to.as_ref().unwrap().zip, "627054410");
}

#[test]
fn billing_provider_entity_names_and_street_address_are_checked() {
    for (from, to, key, words) in [
        (
            "address1 = \"100 Main St\"",
            "address1 = \"P.O. Box 12\"",
            "billing_provider[0].address1",
            "PO or lock box",
        ),
        (
            "address1 = \"100 Main St\"",
            "address1 = \"100 Main St\"\naddress2 = \"Lockbox 7731\"",
            "billing_provider[0].address2",
            "PO or lock box",
        ),
        (
            "name = \"Demo Medical Group\"\ntax_id",
            "entity = \"person\"\nlast_name = \"Rivera\"\ntax_id",
            "billing_provider[0].last_name",
            "needs last_name and first_name",
        ),
        (
            "name = \"Demo Medical Group\"\ntax_id",
            "entity = \"person\"\nname = \"X\"\nlast_name = \"R\"\nfirst_name = \"A\"\ntax_id",
            "billing_provider[0].name",
            "leave name out",
        ),
        (
            "name = \"Demo Medical Group\"\ntax_id",
            "name = \"Demo\"\nlast_name = \"R\"\ntax_id",
            "billing_provider[0].entity",
            "for entity = \"person\"",
        ),
        (
            "name = \"Demo Medical Group\"\ntax_id",
            "tax_id",
            "billing_provider[0].name",
            "needs its name",
        ),
    ] {
        let text = EXAMPLE.replacen(from, to, 1);
        assert_ne!(text, EXAMPLE);
        let e = Config::parse(&text, "c.toml").unwrap_err().to_string();
        assert!(e.contains(key) && e.contains(words), "{to}: {e}");
    }
    assert!(is_po_box("PO BOX 44"));
    assert!(is_po_box("Post Office Box 9"));
    assert!(is_po_box("POB 12"));
    assert!(!is_po_box("100 Pobox Lane"));
    assert!(!is_po_box("12 Poplar Ave"));
    assert!(!is_po_box("1 Boxwood Rd"));
}

#[test]
fn unknown_key_names_key_and_line() {
    let bad = EXAMPLE.replace("usage = \"T\"", "usage = \"T\"\nusgae = \"P\"");
    let e = Config::parse(&bad, "c.toml").unwrap_err().to_string();
    assert!(e.contains("usgae"), "{e}");
    assert!(e.contains("line 8"), "{e}");
}

#[test]
fn reads_payer_aliases_days_and_contractual_carcs() {
    let c = Config::parse(EXAMPLE, "claimflow.toml").unwrap();
    assert_eq!(c.reconcile.contractual_carcs, ["45", "253"]);
    assert!(c.payer[0].aliases.is_empty());
    assert_eq!(c.payer[0].ack_days, None);
    let text = EXAMPLE.replace(
        "filing_indicator = \"CI\"",
        "filing_indicator = \"CI\"\naliases = [\"1311234567\", \"DHP\"]\nack_days = 2\nexpected_days_to_pay = 30\n\n[reconcile]\ncontractual_carcs = [\"45\", \"253\", \"131\", \"B7\"]",
    );
    let c = Config::parse(&text, "claimflow.toml").unwrap();
    assert_eq!(c.payer[0].aliases, ["1311234567", "DHP"]);
    assert_eq!(c.payer[0].ack_days, Some(2));
    assert_eq!(c.payer[0].expected_days_to_pay, Some(30));
    assert_eq!(c.reconcile.contractual_carcs, ["45", "253", "131", "B7"]);
    assert!(!c.payer[0].eligibility_required);
    assert_eq!(c.payer[0].eligibility_max_age(), 30);
    let text = EXAMPLE.replace(
        "filing_indicator = \"CI\"",
        "filing_indicator = \"CI\"\neligibility_required = true\neligibility_max_age_days = 7",
    );
    let c = Config::parse(&text, "claimflow.toml").unwrap();
    assert!(c.payer[0].eligibility_required);
    assert_eq!(c.payer[0].eligibility_max_age(), 7);
    // An empty [reconcile] table keeps the default list.
    let c = Config::parse(&format!("{EXAMPLE}\n[reconcile]\n"), "c.toml").unwrap();
    assert_eq!(c.reconcile.contractual_carcs, ["45", "253"]);
}

#[test]
fn bad_new_keys_are_located_errors() {
    let with = |extra: &str| {
        let text = EXAMPLE
            .replace("filing_indicator = \"CI\"", &format!("filing_indicator = \"CI\"\n{extra}"));
        Config::parse(&text, "c.toml").unwrap_err().to_string()
    };
    assert_eq!(
        with("ack_days = 0"),
        "c.toml: payer[0].ack_days: must be a positive number of days, found 0"
    );
    assert_eq!(
        with("expected_days_to_pay = 0"),
        "c.toml: payer[0].expected_days_to_pay: must be a positive number of days, found 0"
    );
    assert_eq!(
        with("eligibility_max_age_days = 0"),
        "c.toml: payer[0].eligibility_max_age_days: must be a positive number of days, found 0"
    );
    // The line of the extra key in `with`'s text.
    let line = EXAMPLE.lines().count() + 1;
    for extra in ["ack_days = -1", "aliases = \"X\"", "expected_days_to_pay = 1.5"] {
        let e = with(extra);
        assert!(e.starts_with(&format!("c.toml: line {line}:")), "{e}");
    }
    assert_eq!(
        with("aliases = [\" \"]"),
        "c.toml: payer[0].aliases[0]: must be a payer id without surrounding spaces, found \" \""
    );
    assert_eq!(
        with("aliases = [\"DEMOPAYER1\"]"),
        "c.toml: payer[0].aliases[0]: DEMOPAYER1 already names payer DEMOPAYER1"
    );
    assert_eq!(
        with("aliases = [\"A1\", \"A1\"]"),
        "c.toml: payer[0].aliases[1]: A1 is listed twice"
    );
    let two = format!(
        "{EXAMPLE}\n[[payer]]\nid = \"DEMOPAYER2\"\nname = \"Two\"\nfiling_indicator = \"CI\"\naliases = [\"DEMOPAYER1\"]\n"
    );
    assert_eq!(
        Config::parse(&two, "c.toml").unwrap_err().to_string(),
        "c.toml: payer[1].aliases[0]: DEMOPAYER1 already names payer DEMOPAYER1"
    );
    for bad in ["\"\"", "\"1234\"", "\"a1\"", "\"4 5\"", "\"CO-45\""] {
        let text = format!("{EXAMPLE}\n[reconcile]\ncontractual_carcs = [\"45\", {bad}]\n");
        assert_eq!(
            Config::parse(&text, "c.toml").unwrap_err().to_string(),
            format!("c.toml: reconcile.contractual_carcs[1]: must be a CARC code: 1 to 3 characters A-Z or 0-9, found {bad}"),
        );
    }
    let text = format!("{EXAMPLE}\n[reconcile]\ncontractual_carc = [\"45\"]\n");
    let e = Config::parse(&text, "c.toml").unwrap_err().to_string();
    let line = EXAMPLE.lines().count() + 3;
    assert!(e.starts_with(&format!("c.toml: line {line}:")), "{e}");
    assert!(e.contains("contractual_carc"), "{e}");
}

#[test]
fn codesets_dir_and_payer_ncci_level() {
    let cfg = Config::parse(EXAMPLE, "/etc/claimflow/c.toml").unwrap();
    assert_eq!(cfg.codeset_dir(), None);
    assert_eq!(cfg.payer[0].ncci_level(), NcciLevel::Warning);
    let text = format!("{EXAMPLE}\nncci = \"off\"\n\n[codesets]\ndir = \"codes\"\n");
    let cfg = Config::parse(&text, "/etc/claimflow/c.toml").unwrap();
    assert_eq!(cfg.codeset_dir(), Some(PathBuf::from("/etc/claimflow/codes")));
    assert_eq!(cfg.payer[0].ncci_level(), NcciLevel::Off);
    let text = format!("{EXAMPLE}\n[codesets]\ndir = \"/srv/codes\"\n");
    let cfg = Config::parse(&text, "c.toml").unwrap();
    assert_eq!(cfg.codeset_dir(), Some(PathBuf::from("/srv/codes")));
    let medicaid = EXAMPLE.replace("filing_indicator = \"CI\"", "filing_indicator = \"MC\"");
    assert_eq!(Config::parse(&medicaid, "c.toml").unwrap().payer[0].ncci_level(), NcciLevel::Error);
    let e = Config::parse(&format!("{EXAMPLE}\nncci = \"strict\"\n"), "c.toml").unwrap_err();
    assert!(e.to_string().contains("ncci") || e.to_string().contains("strict"), "{e}");
    let e =
        Config::parse(&format!("{EXAMPLE}\n[codesets]\nfolder = \"x\"\n"), "c.toml").unwrap_err();
    assert!(e.to_string().contains("folder"), "{e}");
}
