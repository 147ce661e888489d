with

source as (
    select * from {{ source('marketing', 'ad_campaigns') }}
),

renamed as (
    select
        {{ staged_columns('ad_campaigns', renamed=true) }}
    from source
)

select * from renamed
