"""The audit log read as sentences: in the staff's language, amounts in yuan and rates in percent, the record
named as staff know it, newest first in strict time order, and filters that understand Chinese."""

from __future__ import annotations

from datetime import timedelta

from domain import clock
from domain.audit.sentences import audit_page, matching_actions
from domain.audit.service import record_action
from domain.catalog.service import adjust_stock, update_product
from domain.security.actor import SYSTEM
from domain.settings.service import change_settings
from tests.builders import make_coupon, make_product


def sentences(db, lang="zh", **filters) -> list[str]:
    return [line.sentence for line in audit_page(db, lang=lang, **filters)[0]]


def test_a_refund_reads_with_its_number_and_its_amount_in_yuan_in_both_languages(db):
    record_action(db, actor=SYSTEM, action="refund.approve", entity_type="refund", entity_id=77,
                  before={"status": "requested"}, after={"status": "refunded", "amount_fen": 3990, "failure": ""})
    assert sentences(db) == ["同意了退款 #77，退款 ¥39.90"]
    assert sentences(db, "en") == ["approved refund #77, refunding ¥39.90"]


def test_product_changes_name_the_product_and_say_what_changed(db):
    product = make_product(db, title="保温杯", prices=(3900,), stock=10)
    update_product(db, actor=SYSTEM, product_id=product.id, changes={"title": "保温杯 500ml", "is_on_shelf": False})
    adjust_stock(db, actor=SYSTEM, sku_id=product.skus[0].id, delta=-3, reason="盘点损耗")
    [stock, update, create] = audit_page(db, lang="zh")[0]
    assert stock.sentence == "调整了《保温杯 500ml》的库存：10 → 7（-3），原因：盘点损耗"
    assert update.sentence == "修改了商品《保温杯 500ml》：标题 保温杯 → 保温杯 500ml；上架 是 → 否"
    assert create.sentence == "新建了商品《保温杯 500ml》"
    assert (update.entity.kind, update.entity.search, stock.entity.product_id) == ("product", "保温杯 500ml", product.id)
    assert "{" not in "".join(sentences(db)) and "_fen" not in "".join(sentences(db))


def test_settings_changes_read_in_percent_and_yuan(db):
    change_settings(db, actor=SYSTEM, changes={"commission_level1_bp": 1250, "shipping_fee_fen": 800})
    assert sentences(db) == ["修改了系统设置：一级佣金比例 10% → 12.5%；运费 ¥10.00 → ¥8.00"]
    assert sentences(db, "en") == ["changed settings: level-1 rate 10% → 12.5%; shipping fee ¥10.00 → ¥8.00"]


def test_an_action_without_a_sentence_of_its_own_still_reads_without_codes_or_json(db):
    record_action(db, actor=SYSTEM, action="order.note", entity_type="order", entity_id=5,
                  after={"note": "客户要求周末送货", "amount_fen": 1200})
    assert sentences(db) == ["order.note：订单 #5（备注 客户要求周末送货；金额 ¥12.00）"]


def test_entries_come_newest_first_by_the_moment_they_happened_whatever_their_ids(db):
    start = clock.now()
    clock.freeze(start)
    record_action(db, actor=SYSTEM, action="job.run", entity_type="job", entity_id="later", after={"processed": 1})
    db.flush()  # the moment is taken when the entry is written
    clock.freeze(start - timedelta(hours=1))  # written after, but it happened before (a clock put right)
    record_action(db, actor=SYSTEM, action="job.run", entity_type="job", entity_id="earlier", after={"processed": 2})
    db.flush()
    clock.freeze(start)
    record_action(db, actor=SYSTEM, action="job.run", entity_type="job", entity_id="same_moment",
                  after={"processed": 3})
    db.flush()
    assert [line.entity.id for line in audit_page(db, lang="zh")[0]] == ["same_moment", "later", "earlier"]
    assert sentences(db)[0] == "手动运行了任务 same_moment，处理 3 条"


def test_a_typed_filter_finds_actions_by_their_chinese_or_english_name_or_code():
    known = ["distributor.approve", "distributor.reject", "refund.approve", "refund.reject", "order.ship"]
    assert matching_actions("退款", known) == ["refund.approve", "refund.reject"]
    assert matching_actions("分销申请", known) == ["distributor.approve", "distributor.reject"]
    assert matching_actions("发货", known) == ["order.ship"]
    assert matching_actions("Rejected", known) == ["distributor.reject", "refund.reject"]
    assert matching_actions("distributor.", known) == ["distributor.approve", "distributor.reject"]
    assert matching_actions("没有这种操作", known) == []


def test_marketing_and_home_actions_read_as_sentences_with_their_names(db):
    template = make_coupon(db, name="满100减20")
    record_action(db, actor=SYSTEM, action="coupon.issue", entity_type="coupon_template", entity_id=template.id,
                  after={"reason": "老客回馈", "issued": [1, 2, 3], "skipped": []})
    db.flush()
    assert sentences(db)[:2] == ["向 3 位顾客发放了优惠券“满100减20”（原因：老客回馈）", "新建了优惠券“满100减20”"]


def test_after_sale_and_order_edits_read_as_sentences_with_amounts_in_yuan(db):
    record_action(db, actor=SYSTEM, action="refund.approve_return", entity_type="refund", entity_id=8,
                  before={"status": "requested"}, after={"status": "awaiting_return", "amount_fen": 6666})
    record_action(db, actor=SYSTEM, action="refund.confirm_return", entity_type="refund", entity_id=8,
                  before={"status": "awaiting_return"},
                  after={"status": "refunded", "amount_fen": 6666, "restock": True, "failure": ""})
    record_action(db, actor=SYSTEM, action="order.change_address", entity_type="order", entity_id=5,
                  before={"receiver": "张*", "phone": "138****8000", "region": "广东省深圳市南山区"},
                  after={"receiver": "赵*", "phone": "136****6000", "region": "上海市上海市徐汇区"})
    record_action(db, actor=SYSTEM, action="order.merchant_note", entity_type="order", entity_id=5,
                  before={"merchant_note": ""}, after={"merchant_note": "用纸箱"})
    assert sentences(db) == [
        "修改了订单 #5的商家备注：— → 用纸箱",
        "修改了订单 #5的收货地址：张* 138****8000 广东省深圳市南山区 → 赵* 136****6000 上海市上海市徐汇区",
        "确认收到退款 #8的退货（已放回库存），退款 ¥66.66",
        "同意了退款 #8的退货，收到退货后退款 ¥66.66",
    ]
    assert sentences(db, "en")[2] == "confirmed the goods of refund #8 arrived (back in stock), refunding ¥66.66"
