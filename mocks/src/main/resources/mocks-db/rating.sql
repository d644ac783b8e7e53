-- External Rating: tariffs per product, factors per postal-code area.
CREATE SCHEMA IF NOT EXISTS rating;
CREATE TABLE IF NOT EXISTS rating.tariffs (
    product      varchar(16)   PRIMARY KEY,
    base_rate    numeric(8, 5) NOT NULL,
    minimum      numeric(10,2) NOT NULL
);
CREATE TABLE IF NOT EXISTS rating.area_factors (
    postal_prefix varchar(2)   PRIMARY KEY,
    factor        numeric(5,3) NOT NULL
);
INSERT INTO rating.tariffs VALUES ('AUTO', 0.04200, 180.00), ('HOME', 0.00350, 120.00) ON CONFLICT DO NOTHING;
INSERT INTO rating.area_factors VALUES ('75', 1.250), ('13', 1.150), ('69', 1.100), ('33', 0.950) ON CONFLICT DO NOTHING;
