"""Labels in Chinese (the default) and English: ``t("key", **values)``.

Domain error messages stay Chinese in both languages: they come from ``DomainError.message``.
"""

from __future__ import annotations

from dashboard import state
from domain.security.roles import ROLE_LABELS, Role

LANGUAGES = {"zh": "中文", "en": "English"}

# key: (中文, English)
STRINGS: dict[str, tuple[str, str]] = {
    # App, sign-in and sidebar
    "app.title": ("二级分销商城·管理后台", "Two-level Distribution Mall · Admin"),
    "login.title": ("登录", "Sign in"),
    "login.caption": ("员工账号登录。忘记密码请联系店主。", "Staff sign-in. Ask the owner if you forgot your password."),
    "login.username": ("用户名", "Username"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "auth.required": ("请先登录。", "Please sign in first."),
    "auth.forbidden": ("当前角色无权使用此页面。", "Your role may not use this screen."),
    "sidebar.role": ("角色：{role}", "Role: {role}"),
    "sidebar.language": ("语言 / Language", "语言 / Language"),
    "sidebar.logout": ("退出登录", "Log out"),
    # Navigation
    "nav.section.shop": ("店铺", "Shop"),
    "nav.section.system": ("系统", "System"),
    "nav.home": ("概览", "Overview"),
    "nav.products": ("商品", "Products"),
    "nav.settings": ("设置", "Settings"),
    # Overview
    "home.header": ("{shop} · 概览", "{shop} · Overview"),
    "home.welcome": ("欢迎，{name}（{role}）", "Welcome, {name} ({role})"),
    "home.products": ("商品总数", "Products"),
    "home.on_shelf": ("在售商品", "On shelf"),
    "home.categories": ("商品分类", "Categories"),
    "home.low_stock": ("低库存规格", "Low-stock SKUs"),
    "home.low_stock_help": ("在售商品中库存少于 {threshold} 件的规格数", "SKUs of products on the shelf with fewer than {threshold} in stock"),
    "home.low_stock_list": ("即将售罄", "Selling out soon"),
    "home.shortcuts": ("常用功能", "Shortcuts"),
    # Products
    "products.header": ("商品管理", "Products"),
    "products.low_stock_warning": ("有 {n} 个在售规格库存少于 {threshold} 件，请及时补货。",
                                   "{n} SKUs on the shelf have fewer than {threshold} in stock: restock soon."),
    "products.search": ("搜索商品", "Search products"),
    "products.search_placeholder": ("标题或副标题关键词", "Words in the title or subtitle"),
    "products.filter_category": ("分类", "Category"),
    "products.all_categories": ("全部分类", "All categories"),
    "products.tab_list": ("商品列表", "Product list"),
    "products.tab_edit": ("编辑商品", "Edit product"),
    "products.tab_new": ("新建商品", "New product"),
    "products.tab_categories": ("分类管理", "Categories"),
    "products.count": ("共 {n} 件商品（含已下架）", "{n} products (including off-shelf)"),
    "products.empty": ("没有符合条件的商品。", "No products match."),
    "products.on_shelf": ("在售", "On shelf"),
    "products.off_shelf": ("已下架", "Off shelf"),
    "products.col_cover": ("封面", "Cover"),
    "products.col_title": ("商品", "Product"),
    "products.col_category": ("分类", "Category"),
    "products.col_price": ("价格（元）", "Price (¥)"),
    "products.col_stock": ("库存", "Stock"),
    "products.col_sales": ("销量", "Sales"),
    "products.col_status": ("状态", "Status"),
    "products.col_low": ("低库存", "Low stock"),
    "products.col_low_help": ("库存少于 {threshold} 件的规格数", "SKUs with fewer than {threshold} in stock"),
    "products.low_stock_list": ("查看 {n} 个低库存规格", "Show {n} low-stock SKUs"),
    "products.created": ("商品“{title}”已创建。", "Product “{title}” created."),
    "products.saved": ("商品“{title}”已保存。", "Product “{title}” saved."),
    "products.edit_none": ("没有可编辑的商品：请调整上方的搜索条件，或先新建商品。",
                           "Nothing to edit: change the search above, or create a product first."),
    "products.edit_select": ("选择商品", "Product"),
    "products.reload": ("重新载入", "Reload"),
    "products.reload_help": ("放弃未保存的修改，载入商品的最新数据。", "Discard unsaved changes and load the product afresh."),
    "products.edit_select_help": ("列表按上方的搜索和分类筛选。", "The list follows the search and category above."),
    # The product form
    "product.spec_axes": ("规格项", "Spec names"),
    "product.spec_axes_placeholder": ("如：颜色，尺码（单一规格可留空）", "e.g. Colour, Size (leave empty for a single SKU)"),
    "product.spec_axes_help": ("用逗号分隔。每个规格项是下方规格表中的一列。",
                               "Separate with commas. Each becomes a column of the SKU table below."),
    "product.title": ("商品标题", "Title"),
    "product.subtitle": ("副标题", "Subtitle"),
    "product.category": ("分类", "Category"),
    "product.no_category": ("未分类", "Uncategorised"),
    "product.description": ("商品详情", "Description"),
    "product.on_shelf": ("上架销售", "On shelf"),
    "product.distribution_enabled": ("参与分销", "Distribution enabled"),
    "product.distribution_help": ("关闭后，此商品不产生任何佣金。", "When off, this product earns no commission."),
    "product.override": ("单独设置本商品佣金比例", "Own commission rates for this product"),
    "product.override_help": ("不勾选则使用系统设置中的一级 / 二级佣金比例。两级合计不得超过佣金上限。",
                              "Unticked: the level-1 / level-2 rates from Settings apply. The two together may "
                              "not exceed the commission cap."),
    "product.level1_percent": ("一级佣金（%）", "Level 1 (%)"),
    "product.level2_percent": ("二级佣金（%）", "Level 2 (%)"),
    "product.default_rate": ("默认 {rate}%", "default {rate}%"),
    "product.bad_percent": ("佣金比例请填写百分数，最多两位小数，如 12.5。",
                            "Commission rates are percentages with at most two decimals, e.g. 12.5."),
    "product.remove_images": ("移除图片", "Remove images"),
    "product.remove_none": ("不移除", "Keep all"),
    "product.image_n": ("图 {n}", "Image {n}"),
    "product.cover": ("封面", "cover"),
    "product.upload_images": ("上传图片", "Upload images"),
    "product.upload_help": ("JPG / PNG / WebP，单张不超过 5 MB。第一张图为封面。",
                            "JPG / PNG / WebP, up to 5 MB each. The first image is the cover."),
    "product.skus": ("规格与库存", "SKUs and stock"),
    "product.skus_help": ("每行一个规格：价格以元为单位（如 39.90），库存为整数。删除一行即停售该规格。",
                          "One SKU per row: price in yuan (e.g. 39.90), stock a whole number. Deleting a row "
                          "stops selling that SKU."),
    "product.create": ("创建商品", "Create product"),
    "product.save": ("保存修改", "Save changes"),
    "sku.price_yuan": ("价格（元）", "Price (¥)"),
    "sku.stock": ("库存", "Stock"),
    "sku.specs": ("规格", "SKU"),
    "sku.default": ("默认", "default"),
    "sku.bad_price": ("第 {row} 行：价格请填写金额（元），最多两位小数，如 39.90。",
                      "Row {row}: the price must be an amount in yuan with at most two decimals, e.g. 39.90."),
    "sku.bad_stock": ("第 {row} 行：库存请填写不小于 0 的整数。", "Row {row}: stock must be a whole number, 0 or more."),
    "sku.none": ("请至少填写一个规格（一行）。", "Fill in at least one SKU (one row)."),
    # Stock adjustment
    "stock.header": ("快速调整库存", "Adjust stock"),
    "stock.sku": ("规格", "SKU"),
    "stock.sku_option": ("{specs}（现有库存 {stock}）", "{specs} (in stock: {stock})"),
    "stock.delta": ("增减数量", "Change by"),
    "stock.delta_help": ("正数入库，负数出库；按当前库存增减，不会覆盖期间的销售。",
                         "Positive adds, negative removes; applied to the current stock, so sales in between "
                         "are kept."),
    "stock.reason": ("原因", "Reason"),
    "stock.reason_placeholder": ("如：到货入库、盘点损耗", "e.g. delivery received, stock count"),
    "stock.submit": ("调整库存", "Adjust"),
    "stock.zero": ("请填写非 0 的增减数量。", "Enter a change other than 0."),
    "stock.done": ("库存已调整：{before} → {after}。", "Stock adjusted: {before} → {after}."),
    # Categories
    "category.name": ("分类名称", "Category name"),
    "category.sort": ("排序", "Sort"),
    "category.sort_help": ("数字越大越靠前。", "Higher numbers come first."),
    "category.new": ("新建分类", "New category"),
    "category.create": ("创建分类", "Create category"),
    "category.created": ("分类“{name}”已创建。", "Category “{name}” created."),
    # Settings
    "settings.header": ("系统设置", "Settings"),
    "settings.intro": ("这些设置对小程序和后台立即生效。每次修改都会记入操作日志。",
                       "These settings apply to the mini-program and the dashboard at once. Every change is "
                       "recorded in the audit log."),
    "settings.save": ("保存设置", "Save settings"),
    "settings.saved": ("设置已保存。", "Settings saved."),
    "settings.no_changes": ("没有修改。", "Nothing changed."),
    "settings.bad_yuan": ("{label}：请填写金额（元），最多两位小数。", "{label}: enter an amount in yuan, at most two decimals."),
    "settings.bad_percent": ("{label}：请填写百分数，最多两位小数。", "{label}: enter a percentage, at most two decimals."),
    "settings.bad_int": ("{label}：请填写整数。", "{label}: enter a whole number."),
    "settings.bad_text": ("{label}：内容无效。", "{label}: invalid text."),
    "settings.group.shop": ("店铺", "Shop"),
    "settings.group.commission": ("分销佣金", "Distribution commission"),
    "settings.group.orders": ("订单", "Orders"),
    "settings.group.withdrawals": ("提现", "Withdrawals"),
    "settings.commission_explainer": (
        "本系统只有两级分销：顾客下单付款后，其邀请人（一级）和邀请人的邀请人（二级）获得佣金，不存在第三级——"
        "这是我国禁止传销相关法律的要求，任何设置都不能开启第三级。一级 + 二级比例之和不得超过“佣金合计上限”"
        "（当前 {cap}%，上限最高 {max_cap}%）。按当前设置，顾客实付 ¥100.00 的商品，一级得 ¥{l1}，二级得 ¥{l2}。",
        "There are exactly two levels: when a shopper pays, their inviter (level 1) and the inviter's inviter "
        "(level 2) earn commission. There is no third level — Chinese law against pyramid selling requires it, "
        "and no setting can create one. Level 1 + level 2 may not exceed the commission cap (now {cap}%, at most "
        "{max_cap}%). With the current settings, on ¥100.00 paid, level 1 earns ¥{l1} and level 2 earns ¥{l2}.",
    ),
    "settings.shop_name": ("店铺名称", "Shop name"),
    "settings.shop_name.help": ("显示在小程序首页和分享海报上，1–32 个字。", "Shown in the mini-program and on share posters; 1–32 characters."),
    "settings.service_phone": ("客服电话", "Service phone"),
    "settings.service_phone.help": ("顾客在订单和售后页面看到的联系电话。", "The number shoppers see on order and after-sale pages."),
    "settings.commission_level1_bp": ("一级佣金比例", "Level-1 commission"),
    "settings.commission_level1_bp.help": ("顾客的直接邀请人获得的佣金，按订单行实付金额计算。默认 10%。",
                                           "Earned by the shopper's inviter, on each line's paid amount. Default 10%."),
    "settings.commission_level2_bp": ("二级佣金比例", "Level-2 commission"),
    "settings.commission_level2_bp.help": ("邀请人的邀请人获得的佣金。默认 5%。", "Earned by the inviter's inviter. Default 5%."),
    "settings.commission_cap_bp": ("佣金合计上限", "Commission cap"),
    "settings.commission_cap_bp.help": ("一级 + 二级（包括商品单独设置的比例）之和的上限，最高 50%。默认 30%。",
                                        "The most level 1 + level 2 may add up to, per-product rates included; "
                                        "at most 50%. Default 30%."),
    "settings.binding_mode": ("邀请关系绑定方式", "Inviter binding"),
    "settings.binding_mode.help": ("顾客通过分享链接进入时，如何确定其邀请人。", "How a shopper arriving through a share link gets their inviter."),
    "settings.binding_mode.first_touch": ("首次绑定，永久有效", "First touch, permanent"),
    "settings.binding_mode.registration_only": ("仅注册时绑定", "Only at registration"),
    "settings.binding_mode.overwrite": ("以最后一次分享为准", "Last touch wins"),
    "settings.distributor_mode": ("成为分销员的方式", "Becoming a distributor"),
    "settings.distributor_mode.help": ("申请审核：顾客填写资料后由员工审核；自动：所有顾客自动成为分销员。加入永远免费。",
                                       "Application: shoppers apply and staff review; automatic: every shopper "
                                       "is a distributor. Joining is always free."),
    "settings.distributor_mode.application": ("申请审核", "Application and review"),
    "settings.distributor_mode.auto": ("自动成为分销员", "Automatic"),
    "settings.self_purchase_rebate": ("分销员自购返佣", "Self-purchase rebate"),
    "settings.self_purchase_rebate.help": ("开启后，分销员自己下单时，本人作为一级、其邀请人作为二级获得佣金。默认关闭。",
                                           "When on, a distributor buying for themselves earns level 1 and their "
                                           "inviter level 2. Off by default."),
    "settings.settle_after_days": ("佣金结算等待天数", "Days before settlement"),
    "settings.settle_after_days.help": ("订单完成后经过这么多天（售后期）且无进行中的退款，冻结佣金才结算到钱包。默认 7 天。",
                                        "Frozen commission settles into the wallet this many days after the "
                                        "order completes (the after-sale window), with no open refund. Default 7."),
    "settings.auto_receive_days": ("自动确认收货天数", "Auto-receive after (days)"),
    "settings.auto_receive_days.help": ("发货后顾客未确认收货，满这么多天自动确认。默认 7 天。",
                                        "Orders are marked received this many days after shipping. Default 7."),
    "settings.unpaid_timeout_minutes": ("未付款自动取消（分钟）", "Cancel unpaid after (minutes)"),
    "settings.unpaid_timeout_minutes.help": ("下单后超过这么多分钟未付款，订单自动取消并退回库存。默认 30 分钟。",
                                             "Unpaid orders are cancelled and their stock returned after this "
                                             "many minutes. Default 30."),
    "settings.shipping_fee_fen": ("运费", "Shipping fee"),
    "settings.shipping_fee_fen.help": ("每单统一运费，不计入佣金。", "A flat fee per order; never part of commission."),
    "settings.free_shipping_threshold_fen": ("包邮门槛", "Free shipping from"),
    "settings.free_shipping_threshold_fen.help": ("商品金额达到此金额免运费。", "Orders with goods at or above this amount ship free."),
    "settings.withdraw_min_fen": ("最低提现金额", "Minimum withdrawal"),
    "settings.withdraw_min_fen.help": ("单笔提现不得低于此金额。默认 ¥1.00。", "The least one withdrawal may be. Default ¥1.00."),
    "settings.withdraw_max_fen": ("单笔最高提现金额", "Maximum withdrawal"),
    "settings.withdraw_max_fen.help": ("单笔提现不得高于此金额。默认 ¥20,000.00。", "The most one withdrawal may be. Default ¥20,000.00."),
    "settings.withdraw_fee_bp": ("提现手续费比例", "Withdrawal fee"),
    "settings.withdraw_fee_bp.help": ("从提现金额中扣除的比例，最高 20%。默认 0。", "Deducted from each withdrawal; at most 20%. Default 0."),
    "settings.withdraw_daily_count": ("每日提现次数", "Withdrawals per day"),
    "settings.withdraw_daily_count.help": ("每位分销员每天最多申请提现的次数。默认 3 次。", "How many withdrawals a distributor may request per day. Default 3."),
    "settings.withdraw_real_name_threshold_fen": ("实名校验金额", "Real-name check from"),
    "settings.withdraw_real_name_threshold_fen.help": ("微信提现达到此金额时需校验真实姓名。默认 ¥2,000.00。",
                                                        "WeChat payouts at or above this amount need the real name. "
                                                        "Default ¥2,000.00."),
}


def t(key: str, **values: object) -> str:
    """The label for ``key`` in the current language; an unknown key shows as itself (tests catch those)."""
    pair = STRINGS.get(key)
    if pair is None:
        return key
    text = pair[1] if state.lang() == "en" else pair[0]
    return text.format(**values) if values else text


def role_label(role: str) -> str:
    zh, en = ROLE_LABELS[Role(role)]
    return en if state.lang() == "en" else zh
