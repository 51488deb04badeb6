"""Getting paid: Pix BR Codes, money rules (deposits, refunds by policy), holds, Stripe.

Pure modules (`pix`, `money`, `holds`) know nothing of the database or the network;
`stripe_gateway` is the one place that talks to Stripe. Nothing here imports telegram.
"""
