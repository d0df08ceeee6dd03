-- grain: one row per cross-check finding (audit.findings) of a current recap file
-- The findings the recap loader records are this check's rows, not a second system: only those of the
-- files whose figures are in the marts (the current version of each scope), worded for people.
with current_files as (
    select distinct campaign_year, scope_code, file_sha256, file_name
    from staging.recap_current
    join raw.landed_files using (file_sha256)
),

findings as (
    select * from audit.findings
),

final as (
    select
        c.campaign_year,
        coalesce(f.region_code, c.scope_code) as region_code,
        c.file_name || coalesce(', baris ' || f.source_row, '') as subject,
        f.actual as value,
        f.expected as reference_value,
        case f.check_name
            when 'total_row_vs_rows' then 'Baris jumlah tidak sama dengan jumlah baris-barisnya'
            when 'methods_vs_total' then 'Jumlah per metode tidak sama dengan total'
            when 'stated_pct' then 'Persentase yang tertulis tidak sama dengan capaian / sasaran'
            when 'implausible_achievement' then 'Capaian tidak masuk akal dibanding sasaran'
            when 'missing_regions' then 'Ada kabupaten/kota yang tidak dilaporkan'
            when 'code_vs_name' then 'Kode wilayah tidak cocok dengan namanya'
            else 'Temuan pemeriksaan silang ' || f.check_name
        end
            || coalesce(' (tertulis ' || id_decimal(f.actual) || ', seharusnya '
                        || id_decimal(f.expected) || ')', '')
            || ' di berkas ' || c.file_name || coalesce(', baris ' || f.source_row, '') || '.' as message
    from findings as f
    join current_files as c using (file_sha256)
)

select * from final
