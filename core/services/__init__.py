"""Services: every rule of the product, one module per aggregate.

Each public service is `async def name(uow, *, ...)`: the unit of work first, then
keyword-only typed arguments; it returns plain data (dataclasses), never ORM rows.
"""
