-- Migration 3: ingest: canonical tables, rejects, loaded files, the per-database hashing key
-- Released: never edit this file; add a new migration instead.

CREATE TABLE registry (
    company_name VARCHAR,
    uscc VARCHAR,
    uscc_status VARCHAR,
    legal_rep VARCHAR,
    company_type VARCHAR,
    reg_status VARCHAR,
    status_date DATE,
    dereg_reason VARCHAR,
    reg_capital DECIMAL(18,2),
    paid_capital DECIMAL(18,2),
    founded DATE,
    address VARCHAR,
    source_file VARCHAR NOT NULL,
    source_row INTEGER NOT NULL,
    duplicate_of_row INTEGER
);

CREATE TABLE projects (
    project_no VARCHAR,
    project_name VARCHAR,
    permit_no VARCHAR,
    client_name VARCHAR,
    client_uscc VARCHAR,
    client_uscc_status VARCHAR,
    contractor_name VARCHAR,
    contractor_uscc VARCHAR,
    contractor_uscc_status VARCHAR,
    contract_amount DECIMAL(18,2),
    permit_date DATE,
    start_date DATE,
    completion_date DATE,
    project_status VARCHAR,
    district VARCHAR,
    source_file VARCHAR NOT NULL,
    source_row INTEGER NOT NULL,
    duplicate_of_row INTEGER
);

CREATE TABLE deposits (
    project_name VARCHAR,
    permit_no VARCHAR,
    contractor_name VARCHAR,
    contractor_uscc VARCHAR,
    contractor_uscc_status VARCHAR,
    contract_amount DECIMAL(18,2),
    deposit_rate DECIMAL(9,6),
    required_amount DECIMAL(18,2),
    actual_amount DECIMAL(18,2),
    method VARCHAR,
    guarantee_valid_until DATE,
    deposit_date DATE,
    used_amount DECIMAL(18,2),
    used_date DATE,
    refund_applied_date DATE,
    notice_start DATE,
    notice_end DATE,
    refund_date DATE,
    remark VARCHAR,
    source_file VARCHAR NOT NULL,
    source_row INTEGER NOT NULL,
    duplicate_of_row INTEGER
);

CREATE TABLE arbitrations (
    case_no VARCHAR,
    applicant_name VARCHAR,
    applicant_id VARCHAR,
    applicant_id_hash VARCHAR,
    applicant_id_status VARCHAR,
    applicant_phone VARCHAR,
    respondent_name VARCHAR,
    respondent_uscc VARCHAR,
    respondent_uscc_status VARCHAR,
    project_text VARCHAR,
    cause VARCHAR,
    claim_amount DECIMAL(18,2),
    award_amount DECIMAL(18,2),
    filed_date DATE,
    closed_date DATE,
    close_method VARCHAR,
    final_award BOOLEAN,
    effective_date DATE,
    remark VARCHAR,
    source_file VARCHAR NOT NULL,
    source_row INTEGER NOT NULL,
    duplicate_of_row INTEGER
);

CREATE TABLE enforcements (
    case_no VARCHAR,
    court VARCHAR,
    applicant_name VARCHAR,
    applicant_code VARCHAR,
    applicant_code_kind VARCHAR,
    applicant_code_hash VARCHAR,
    applicant_code_status VARCHAR,
    respondent_name VARCHAR,
    respondent_code VARCHAR,
    respondent_code_kind VARCHAR,
    respondent_code_hash VARCHAR,
    respondent_code_status VARCHAR,
    basis VARCHAR,
    cause VARCHAR,
    filed_date DATE,
    closed_date DATE,
    close_method VARCHAR,
    target_amount DECIMAL(18,2),
    executed_amount DECIMAL(18,2),
    unpaid_amount DECIMAL(18,2),
    dishonest BOOLEAN,
    remark VARCHAR,
    source_file VARCHAR NOT NULL,
    source_row INTEGER NOT NULL,
    duplicate_of_row INTEGER
);

CREATE TABLE rejects (
                source VARCHAR NOT NULL,
                source_file VARCHAR NOT NULL,
                source_row INTEGER NOT NULL,
                column_name VARCHAR NOT NULL,
                raw_value VARCHAR,
                reason VARCHAR NOT NULL
            );

CREATE TABLE ingested_files (
                source VARCHAR NOT NULL,
                file VARCHAR PRIMARY KEY,
                sha256 VARCHAR NOT NULL,
                spec_hash VARCHAR NOT NULL,
                header_row INTEGER,
                rows_in BIGINT,
                loaded BIGINT,
                rejected BIGINT,
                duplicates BIGINT,
                uscc_invalid BIGINT,
                uscc_missing BIGINT,
                seconds DOUBLE,
                ingested_at TIMESTAMP
            );

CREATE TABLE settings (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
