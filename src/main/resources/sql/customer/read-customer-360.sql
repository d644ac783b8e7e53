-- D08, F05: one customer's view (header view: overview, web or mobile) as JSON text, from the read model only
-- (hub.customer_360_view, Flyway V18); NULL for a customer the read model does not know.
SELECT CAST(hub.customer_360_view(:#${header.customerId}, :#${header.view}) AS text) AS view
