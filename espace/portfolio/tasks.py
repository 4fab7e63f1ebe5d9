from django_tasks import task

from espace.portfolio.statements import statement_generate


@task()
def generate_guaranteed_debt_statement(*, statement_id: int) -> str:
    """Render the « État annuel de la dette garantie » a guarantor asked for."""
    return statement_generate(statement_id=statement_id).status
